/*  machine - describes the machine (see machine.h). Every source is read
    best effort: a file that cannot be read leaves "unknown".
*/
#include "machine.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

//  Copies the value of the first "key<sep>value" line of a file.
static void s_field(const char *path, const char *key, char *out, size_t size)
{
    FILE *f = fopen(path, "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, key, strlen(key)))
            continue;
        const char *v = strchr(line, ':');
        v = v ? v + 1 : line + strlen(key);
        v += strspn(v, " \t");
        snprintf(out, size, "%.*s", (int)strcspn(v, "\n"), v);
        break;
    }
    if (f)
        fclose(f);
}

//  Finds the mount holding dir: its mount point, type and device.
static void s_mount(const char *dir, char *point, char *type, char *dev, size_t size)
{
    char real[4096];
    if (!realpath(dir, real))
        snprintf(real, sizeof real, "%s", dir);
    FILE *f = fopen("/proc/self/mounts", "r");
    char src[512], mnt[512], fs[64];
    size_t best = 0;
    while (f && fscanf(f, "%511s %511s %63s %*[^\n]", src, mnt, fs) == 3) {
        size_t n = strlen(mnt);
        bool inside = !strncmp(real, mnt, n) && (real[n] == '/' || real[n] == 0 || n == 1);
        if (inside && n >= best) {
            best = n;
            snprintf(point, size, "%s", mnt);
            snprintf(type, size, "%s", fs);
            snprintf(dev, size, "%s", src);
        }
    }
    if (f)
        fclose(f);
}

//  Says whether a block device is rotational (from /sys/class/block).
static const char *s_media(const char *dev)
{
    const char *name = strrchr(dev, '/') ? strrchr(dev, '/') + 1 : dev;
    char path[600], value[16] = "";
    snprintf(path, sizeof path, "/sys/class/block/%s/queue/rotational", name);
    if (access(path, R_OK) != 0) //  a partition: its disk's queue
        snprintf(path, sizeof path, "/sys/class/block/%s/../queue/rotational", name);
    s_field(path, "", value, sizeof value);
    return !strcmp(value, "1")   ? "rotational"
           : !strcmp(value, "0") ? "non-rotational"
                                 : "media unknown";
}

void machine_describe(results_t *results, const char *dir)
{
    char model[256] = "unknown", mem[64] = "unknown";
    s_field("/proc/cpuinfo", "model name", model, sizeof model);
    s_field("/proc/meminfo", "MemTotal", mem, sizeof mem);
    char point[512] = "?", type[512] = "unknown", dev[512] = "unknown";
    s_mount(dir, point, type, dev, sizeof point);
    struct utsname u;
    if (uname(&u) != 0)
        snprintf(u.release, sizeof u.release, "unknown");
    results_header(results, "machine: %ld cores (%s), memory %.1f GiB, Linux %s",
                   sysconf(_SC_NPROCESSORS_ONLN), model, atof(mem) / 1048576.0, u.release);
    results_header(results, "data directory: %s on %s (%s, device %s, %s)", dir, point, type, dev,
                   s_media(dev));
}
