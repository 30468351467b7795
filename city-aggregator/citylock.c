/*  citylock - polls the hub for the province's orders on the city's pools
    and applies them. Results live in memory until the next poll: a result
    lost in a crash is made again, since the hub orders until it has one.
*/
#include "citylock.h"
#include "envelope.h"
#include "log.h"
#include <stdlib.h>
#include <string.h>

struct _citylock_t {
    citydb_t *db;
    zsock_t *province;
    linkwatch_t *watch;
    char city[8];
    evaluator_t *evaluator;
    Fundchain__ReviewResult **results; //  to send with the next poll
    size_t n_results;
    int64_t due; //  zclock_mono of the next poll
};

//  Creates the poller.
citylock_t *citylock_new(citydb_t *db, zsock_t *province, linkwatch_t *watch, const char *city,
                         evaluator_t *evaluator)
{
    citylock_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    *self = (citylock_t){db, province, watch, "", evaluator, NULL, 0, 0};
    snprintf(self->city, sizeof self->city, "%s", city);
    return self;
}

static void s_clear_results(citylock_t *self)
{
    for (size_t i = 0; i < self->n_results; i++)
        fundchain__review_result__free_unpacked(self->results[i], NULL);
    free(self->results);
    self->results = NULL;
    self->n_results = 0;
}

//  Destroys the poller.
void citylock_destroy(citylock_t **self_p)
{
    citylock_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    s_clear_results(self);
    free(self);
    *self_p = NULL;
}

//  Keeps the result of one order. Returns 0 or -1.
static int s_keep(citylock_t *self, const Fundchain__ReviewOrder *o, bool ok, const char *why)
{
    Fundchain__ReviewResult **grown = realloc(self->results, (self->n_results + 1) * sizeof *grown);
    Fundchain__ReviewResult *r = grown ? calloc(1, sizeof *r) : NULL;
    if (grown)
        self->results = grown;
    if (!r)
        return -1;
    fundchain__review_result__init(r);
    r->period = strdup(o->period);
    r->fund = strdup(o->fund);
    r->reason = strdup(ok ? "" : why);
    r->approve = o->approve;
    r->at = o->at;
    r->ok = ok;
    self->results[self->n_results++] = r;
    return r->period && r->fund && r->reason ? 0 : -1;
}

//  Applies one order in one transaction and keeps its result.
static void s_apply(citylock_t *self, const Fundchain__ReviewOrder *o)
{
    cityreview_op_t op = {o->approve ? CITYREVIEW_PROVINCE_APPROVE : CITYREVIEW_PROVINCE_UNAPPROVE,
                          o->period,
                          o->fund,
                          self->city,
                          true,
                          o->by,
                          o->at,
                          0,
                          o->city_approved_at};
    char why[CITYREVIEW_WHY] = "";
    int rc = citydb_review(self->db, &op, NULL, 0, why, sizeof why);
    if (rc < 0) {
        log_error("cannot apply the province's %s of %s %s: %s (it will order again)",
                  o->approve ? "approval" : "unapproval", o->period, o->fund,
                  store_error(citydb_store(self->db)));
        return;
    }
    if (rc == 0)
        log_info("the province's %s of the pool %s %s by %s is in force",
                 o->approve ? "approval" : "unapproval", o->period, o->fund, o->by);
    else
        log_warn("refused the province's %s of the pool %s %s: %s",
                 o->approve ? "approval" : "unapproval", o->period, o->fund, why);
    if (s_keep(self, o, rc == 0, why) != 0)
        log_error("out of memory keeping a review result (the hub will order again)");
}

//  Takes the hub's orders.
int citylock_orders(void *arg, const Fundchain__Envelope *env)
{
    citylock_t *self = arg;
    if (env->body_case != FUNDCHAIN__ENVELOPE__BODY_REVIEW_ORDERS)
        return -1;
    const Fundchain__ReviewOrders *orders = env->review_orders;
    for (size_t i = 0; orders && i < orders->n_orders; i++)
        s_apply(self, orders->orders[i]);
    if (orders && orders->n_orders > 0) {
        evaluator_kick(self->evaluator); //  the pool's new state is evaluated and forwarded
        self->due = 0;                   //  and the results sent at once
    }
    return 0;
}

//  Sends a poll when one is due.
void citylock_tick(citylock_t *self)
{
    int64_t now = zclock_mono();
    if (now < self->due)
        return;
    linkwatch_condition_t cond = {0};
    if (self->watch) {
        linkwatch_condition(self->watch, &cond);
        if (cond.state != LINKWATCH_UP)
            return;
    }
    self->due = now + CITYLOCK_POLL_MS;
    Fundchain__ReviewPoll poll = FUNDCHAIN__REVIEW_POLL__INIT;
    poll.results = self->results;
    poll.n_results = self->n_results;
    poll.city = self->city;
    Fundchain__Envelope env = FUNDCHAIN__ENVELOPE__INIT;
    env.body_case = FUNDCHAIN__ENVELOPE__BODY_REVIEW_POLL;
    env.review_poll = &poll;
    zframe_t *frame = envelope_pack(&env);
    if (frame && zframe_send(&frame, self->province, ZFRAME_DONTWAIT) == 0)
        s_clear_results(self); //  sent; lost on the way, the hub orders again
    zframe_destroy(&frame);
}
