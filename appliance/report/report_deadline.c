/* report_deadline.c -- see report_deadline.h. */
#include "report/report_deadline.h"

#include <stdio.h>
#include <string.h>

#include "incidents/incident_report.h"
#include "incidents/incident_status.h"

static bool any_match(const report_cond_t *c, size_t n, const report_facts_t *f)
{
    for (size_t i = 0; i < n; i++)
        if (report_cond_match(&c[i], f->asset_level, f->priority, f->categories)) return true;
    return false;
}

static int64_t plus_sec(int64_t base_usec, uint64_t sec)
{
    /* within is at most a year (REPORT_WITHIN_MAX): no overflow */
    return base_usec > 0 ? base_usec + (int64_t)sec * 1000000 : 0;
}

/* Deadlines and what is still to send. */
static void due_times(const report_profile_t *p, const report_facts_t *f, report_due_t *d)
{
    const report_kind_rule_t *k = p->kinds;
    uint64_t initial = d->immediate ? p->immediate_within : k[REPORT_INITIAL].within;
    d->due[REPORT_INITIAL] = plus_sec(f->detected, initial);
    d->pending[REPORT_INITIAL] = !f->sent[REPORT_INITIAL];
    if (k[REPORT_UPDATE].has_within) {
        d->due[REPORT_UPDATE] = plus_sec(f->detected, k[REPORT_UPDATE].within);
        d->pending[REPORT_UPDATE] = !f->update_count && !f->sent[REPORT_FINAL];
    }
    if (k[REPORT_FINAL].has_within) {
        d->due[REPORT_FINAL] = f->open ? 0 : plus_sec(f->ended, k[REPORT_FINAL].within);
        d->pending[REPORT_FINAL] = !f->sent[REPORT_FINAL];
    }
}

static void pick_next(report_due_t *d)
{
    for (int k = 0; k < REPORT_KIND_COUNT; k++) {
        if (!d->pending[k] || !d->due[k]) continue;
        if (!d->has_next || d->due[k] < d->next_due) {
            d->has_next = true;
            d->next = (report_kind_t)k;
            d->next_due = d->due[k];
        }
    }
    if (!d->has_next && d->pending[REPORT_FINAL]) {
        d->has_next = true;
        d->next = REPORT_FINAL;
        d->next_due = 0;
    }
}

void report_due_compute(const report_profile_t *p, const report_facts_t *f, int64_t now_usec,
                        report_due_t *d)
{
    memset(d, 0, sizeof(*d));
    d->required = any_match(p->must, p->n_must, f);
    d->immediate = d->required && any_match(p->immediate, p->n_immediate, f);
    bool sent_any = f->sent[REPORT_INITIAL] || f->sent[REPORT_UPDATE] || f->update_count ||
                    f->sent[REPORT_FINAL];
    d->tracked = sent_any || (d->required && !f->false_positive && !f->merged);
    if (!d->tracked) return;
    due_times(p, f, d);
    pick_next(d);
    if (!d->has_next || !d->next_due) return;
    d->overdue = now_usec > d->next_due;
    /* due - due_soon cannot underflow: both are far from INT64 limits */
    d->due_soon = !d->overdue && now_usec >= d->next_due - (int64_t)p->due_soon * 1000000;
}

bool report_kind_allowed(const report_facts_t *f, report_kind_t k, const char *id, char *err,
                         size_t errlen)
{
    const char *why = NULL;
    if (f->sent[REPORT_FINAL])
        why = "the final report was already recorded; no report follows it";
    else if (k == REPORT_INITIAL && f->sent[REPORT_INITIAL])
        why = "the initial report was already recorded; send an update";
    else if (k != REPORT_INITIAL && !f->sent[REPORT_INITIAL])
        why = "record the initial report first";
    if (why) {
        snprintf(err, errlen, "%s: %s", id, why);
        return false;
    }
    if (k == REPORT_FINAL && f->open) {
        snprintf(err, errlen,
                 "%s: a final report needs the response to be over (the incident is still "
                 "open; resolve it first)",
                 id);
        return false;
    }
    return true;
}

void report_facts_after(report_facts_t *f, report_kind_t k, int64_t now_usec)
{
    if ((unsigned)k >= REPORT_KIND_COUNT) return;
    f->sent[k] = now_usec;
    if (k == REPORT_UPDATE) f->update_count++;
}

void report_facts_of(const incident_t *inc, report_facts_t *f)
{
    incident_report_state_t st;
    incident_report_state(inc, &st);
    memset(f, 0, sizeof(*f));
    f->asset_level = inc->asset_level;
    f->priority = inc->priority;
    f->categories =
        report_categories_of(inc->tactics.v, inc->tactics.n, inc->techniques.v, inc->techniques.n);
    f->detected = inc->created_at;
    f->open = incident_status_open(inc->status);
    f->ended = f->open ? 0 : inc->resolved_at ? inc->resolved_at : inc->closed_at;
    f->false_positive = inc->status == INCIDENT_FALSE_POSITIVE;
    f->merged = inc->merged_into[0] != '\0';
    f->sent[REPORT_INITIAL] = st.initial_at;
    f->sent[REPORT_UPDATE] = st.update_at;
    f->sent[REPORT_FINAL] = st.final_at;
    f->update_count = st.update_count;
    if (inc->status == INCIDENT_CLOSED && inc->has_timeline)
        report_facts_closed_from(f, incident_report_closed_from_timeline(inc));
}

void report_facts_closed_from(report_facts_t *f, const char *from)
{
    if (from && strcmp(from, "false_positive") == 0) f->false_positive = true;
}
