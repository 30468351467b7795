/*  hub - the commands of province-hub. Each returns an exit code of SPEC 7. */
#ifndef HUB_H_INCLUDED
#define HUB_H_INCLUDED

/* Receives and stores city evaluations; answers remote rank and show. */
int hub_run(int argc, char **argv);

/* Ranks cities or counties, from the store or from a remote hub. */
int hub_rank(int argc, char **argv);

/* Shows one evaluation, from the store or from a remote hub. */
int hub_show(int argc, char **argv);

#endif
