/* incidents_print.h -- human output of `socctl incidents`: an aligned table
 * for list, a block for show. Text from Redis (titles, comments, names) is
 * printed with control characters replaced by '?', so nothing stored can
 * move the terminal's cursor or fake other lines. */
#ifndef SOC_SOCCTL_INCIDENTS_PRINT_H
#define SOC_SOCCTL_INCIDENTS_PRINT_H

#include <stdint.h>
#include <stdio.h>

#include "incidents/incident_ops.h"

void incidents_print_table(FILE *out, const incident_list_t *l, int64_t now_usec);
/* The same with one more column before TITLE: head, and cells[i] for
 * incident i. */
void incidents_print_table_col(FILE *out, const incident_list_t *l, int64_t now_usec,
                               const char *head, const char *const *cells);
void incidents_print_show(FILE *out, const incident_t *inc, int64_t now_usec);

#endif
