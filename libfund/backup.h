/*  backup - the backup command of every binary that has a store.

    PROGRAM backup --data DIR --out DIR2 makes a consistent, compacted copy
    of the store in DIR into DIR2 (a new directory, made 0700, or an empty
    one) through LMDB's own copy (store_copy), while the daemon runs: the
    copy is the store as one read transaction saw it, so it holds every
    report acknowledged before the copy began and nothing half written.
    `--data DIR2` opens the copy with every command. To restore, stop the
    daemon, move its data directory aside and put the copy in its place
    (its data.mdb; the lock file is made again). The store must be of the
    binary's kind: a city's store is refused by county-agent backup.
*/
#ifndef BACKUP_H_INCLUDED
#define BACKUP_H_INCLUDED

/* Runs the backup command for a store of kind ("agent", "city", "hub");
   argv[0] is the command name. Prints where the copy went and its size.
   Returns EXIT_OK, EXIT_USAGE (bad flags, with a message) or EXIT_RUNTIME
   (the store cannot be opened or copied, with the reason; nothing is left
   in DIR2 but the directory). */
int backup_command(const char *kind, int argc, char **argv);

#endif
