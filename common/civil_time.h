/* civil_time.h -- calendar dates to days since the epoch, without the C
 * library's time zone handling (timestamps in certificates and events carry
 * their own offsets). */
#ifndef SOC_CIVIL_TIME_H
#define SOC_CIVIL_TIME_H

#include <stdint.h>

/* Days from 1970-01-01 to y-m-d (m 1..12) in the proleptic Gregorian
 * calendar; negative before 1970. */
static inline int64_t civil_days(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (int64_t)(m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

#endif
