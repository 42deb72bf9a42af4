/* report_pdf.h -- an incident report as a PDF document (Pango + Cairo).
 *
 * A4, laid out like a Vietnamese administrative document: the reporting
 * agency at top left, the national motto at top right ("CỘNG HÒA XÃ HỘI
 * CHỦ NGHĨA VIỆT NAM / Độc lập - Tự do - Hạnh phúc"), number and
 * place-and-date line, the title and the regime it answers, "Kính gửi:"
 * the recipient, then a table of the profile's fields, the signature block
 * and "Trang N/M" on every page. A row taller than what is left of a page
 * continues on the next one, line by line, so no value is ever clipped.
 *
 * Text is set in DejaVu Serif (fonts-dejavu-core), which has every
 * Vietnamese letter precomposed; Cairo embeds the font subset with a
 * ToUnicode map, so pdftotext gives the text back. */
#ifndef SOC_REPORT_PDF_H
#define SOC_REPORT_PDF_H

#include <stddef.h>

#include "report/report_build.h"

/* Write r to path (created or replaced). 0, or -1 with one line in err
 * naming the file. The page count goes to *pages when pages is set. */
int report_pdf_write(const report_t *r, const char *path, int *pages, char *err, size_t errlen);

/* Give back the font caches Pango, Cairo and fontconfig keep for the
 * process (so leak checkers see none); call once, when no more reports
 * will be drawn. */
void report_pdf_release(void);

#endif
