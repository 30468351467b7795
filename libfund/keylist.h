/*  keylist - the keys command of the receivers (city-aggregator keys,
    province-hub keys): lists an allow directory as the daemon reads it.

    Each file is shown with the code its key is bound to, the key's
    fingerprint (SHA256, as ssh-keygen -l shows keys) and any problem found
    (allowdir_entries: not a .pub file, a secret key, no key, no code, a
    key under two codes, one key in two files, one code with two keys, a
    file or the directory writable by group or others), and whether the
    daemon accepts it. Nothing is changed.
*/
#ifndef KEYLIST_H_INCLUDED
#define KEYLIST_H_INCLUDED

/* Runs `keys --allow DIR [--format table|csv|json]`; argv[0] is the
   command name. Returns EXIT_OK when every file is accepted without a
   problem, EXIT_RUNTIME when one has a problem or the directory cannot be
   read (so a script can check a directory), EXIT_USAGE for bad flags. */
int keylist_command(int argc, char **argv);

#endif
