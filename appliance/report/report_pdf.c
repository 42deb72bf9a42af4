/* report_pdf.c -- see report_pdf.h.
 *
 * The document is drawn twice: once into a PDF surface that discards its
 * bytes, to count the pages ("Trang N/M" needs M), then into the file.
 * Both passes run the same code, so they break pages alike. Units are PDF
 * points (1/72 inch). */
#include "report/report_pdf.h"

#include <cairo-pdf.h>
#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_W      595.276 /* A4 */
#define PAGE_H      841.890
#define M_LEFT      70.0 /* official documents keep a wide left margin for binding */
#define M_RIGHT     45.0
#define M_TOP       45.0
#define M_BOTTOM    65.0
#define CONTENT_W   (PAGE_W - M_LEFT - M_RIGHT)
#define BOTTOM      (PAGE_H - M_BOTTOM)
#define PAD         4.0
#define COL_NUM     28.0
#define COL_LABEL   150.0
#define COL_VALUE   (CONTENT_W - COL_NUM - COL_LABEL)
#define HEAD_LEFT_W 190.0 /* the agency block; the motto takes the rest */
#define HEAD_SHIFT  25.0  /* both blocks start this far left of the text margin */

#define FONT        "DejaVu Serif"
#define F_BODY      FONT " 10"
#define F_BOLD      FONT " Bold 10"
#define F_ITALIC    FONT " Italic 10"
#define F_SMALL     FONT " 8.5"
#define F_SMALL_IT  FONT " Italic 9"
#define F_HEAD      FONT " 9.5"
#define F_HEAD_BOLD FONT " Bold 9.5"
#define F_MOTTO     FONT " Bold 10.5"
#define F_TITLE     FONT " Bold 12.5"

typedef struct pdf {
    cairo_t *cr;
    const report_t *r;
    double y;
    int page, total; /* total is 0 while counting */
    bool in_table;   /* a new page starts with the table's header row */
    double row_top;  /* where the first row of the current page begins */
} pdf_t;

/* ---- text --------------------------------------------------------------------------- */

static PangoLayout *layout(pdf_t *p, const char *text, const char *font, double width,
                           PangoAlignment align)
{
    PangoLayout *l = pango_cairo_create_layout(p->cr);
    PangoFontDescription *fd = pango_font_description_from_string(font);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    pango_layout_set_width(l, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(l, align);
    if (g_utf8_validate(text, -1, NULL)) {
        pango_layout_set_text(l, text, -1);
    } else {
        /* report_build cleans what it builds; this guards the rest */
        gchar *valid = g_utf8_make_valid(text, -1);
        pango_layout_set_text(l, valid, -1);
        g_free(valid);
    }
    return l;
}

static double height_of(PangoLayout *l)
{
    PangoRectangle logical;
    pango_layout_get_extents(l, NULL, &logical);
    return (double)logical.height / PANGO_SCALE;
}

static void show(pdf_t *p, PangoLayout *l, double x, double y)
{
    cairo_move_to(p->cr, x, y);
    pango_cairo_show_layout(p->cr, l);
}

/* Draw text in a box of width w at (x, y); returns its height. */
static double text_at(pdf_t *p, const char *text, const char *font, double x, double y, double w,
                      PangoAlignment align)
{
    PangoLayout *l = layout(p, text, font, w, align);
    show(p, l, x, y);
    double h = height_of(l);
    g_object_unref(l);
    return h;
}

/* A horizontal line of width w centred in the box x..x+bw. */
static void rule(pdf_t *p, double x, double bw, double w, double y)
{
    cairo_set_line_width(p->cr, 0.6);
    cairo_move_to(p->cr, x + (bw - w) / 2, y);
    cairo_line_to(p->cr, x + (bw + w) / 2, y);
    cairo_stroke(p->cr);
}

static double text_width(pdf_t *p, const char *text, const char *font)
{
    PangoLayout *l = layout(p, text, font, CONTENT_W, PANGO_ALIGN_LEFT);
    PangoRectangle logical;
    pango_layout_get_extents(l, NULL, &logical);
    g_object_unref(l);
    return (double)logical.width / PANGO_SCALE;
}

/* ---- pages -------------------------------------------------------------------------- */

static void footer(pdf_t *p)
{
    char t[64];
    if (p->total)
        snprintf(t, sizeof(t), "Trang %d/%d", p->page, p->total);
    else
        snprintf(t, sizeof(t), "Trang %d", p->page);
    text_at(p, t, F_SMALL, M_LEFT, PAGE_H - M_BOTTOM + 25, CONTENT_W, PANGO_ALIGN_CENTER);
    text_at(p, p->r->number, F_SMALL, M_LEFT, PAGE_H - M_BOTTOM + 25, CONTENT_W, PANGO_ALIGN_LEFT);
}

static void draw_row(pdf_t *p, const char *num, const char *label, const char *value, bool header);

static void new_page(pdf_t *p)
{
    footer(p);
    cairo_show_page(p->cr);
    p->page++;
    p->y = M_TOP;
    if (p->in_table) draw_row(p, "TT", "Nội dung", "Thông tin", true);
    p->row_top = p->y;
}

/* ---- the table ------------------------------------------------------------------------ */

typedef struct line_pos {
    PangoLayoutLine *line;
    double x, top, bottom, baseline; /* in the layout */
} line_pos_t;

/* The lines of l with their positions; NULL when out of memory (and *n 0). */
static line_pos_t *lines_of(PangoLayout *l, size_t *n)
{
    *n = 0;
    int count = pango_layout_get_line_count(l);
    line_pos_t *v = calloc(count > 0 ? (size_t)count : 1, sizeof(*v));
    if (!v) return NULL;
    PangoLayoutIter *it = pango_layout_get_iter(l);
    do {
        int y0, y1;
        PangoRectangle logical;
        if (*n == (size_t)count) break;
        line_pos_t *lp = &v[(*n)++];
        pango_layout_iter_get_line_yrange(it, &y0, &y1);
        pango_layout_iter_get_line_extents(it, NULL, &logical);
        lp->line = pango_layout_iter_get_line_readonly(it);
        lp->x = (double)logical.x / PANGO_SCALE;
        lp->top = (double)y0 / PANGO_SCALE;
        lp->bottom = (double)y1 / PANGO_SCALE;
        lp->baseline = (double)pango_layout_iter_get_baseline(it) / PANGO_SCALE;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
    return v;
}

static void cell_borders(pdf_t *p, double y, double h, bool shade)
{
    cairo_t *cr = p->cr;
    if (shade) {
        cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
        cairo_rectangle(cr, M_LEFT, y, CONTENT_W, h);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
    }
    cairo_set_line_width(cr, 0.5);
    cairo_rectangle(cr, M_LEFT, y, CONTENT_W, h);
    cairo_move_to(cr, M_LEFT + COL_NUM, y);
    cairo_line_to(cr, M_LEFT + COL_NUM, y + h);
    cairo_move_to(cr, M_LEFT + COL_NUM + COL_LABEL, y);
    cairo_line_to(cr, M_LEFT + COL_NUM + COL_LABEL, y + h);
    cairo_stroke(cr);
}

/* How many lines from start fit in avail points (at least one). */
static size_t fitting(const line_pos_t *v, size_t n, size_t start, double avail)
{
    size_t end = start;
    while (end < n && v[end].bottom - v[start].top <= avail)
        end++;
    return end > start ? end : start + 1;
}

/* One row: number, label, value. A row that does not fit on what is left
 * of the page moves to the next page; one taller than a whole page is
 * split between the lines of its value. */
static void draw_row(pdf_t *p, const char *num, const char *label, const char *value, bool header)
{
    const char *font = header ? F_BOLD : F_BODY;
    PangoLayout *ln = layout(p, num, font, COL_NUM - 2 * PAD, PANGO_ALIGN_CENTER);
    PangoLayout *ll = layout(p, label, F_BOLD, COL_LABEL - 2 * PAD, PANGO_ALIGN_LEFT);
    PangoLayout *lv = layout(p, value, font, COL_VALUE - 2 * PAD, PANGO_ALIGN_LEFT);
    double head_h = height_of(ln) > height_of(ll) ? height_of(ln) : height_of(ll);
    size_t n;
    line_pos_t *v = lines_of(lv, &n);
    double page_room = BOTTOM - p->row_top - 2 * PAD;
    for (size_t start = 0; n || start == 0;) {
        double avail = BOTTOM - p->y - 2 * PAD;
        double rest = n ? v[n - 1].bottom - v[start].top : 0;
        double need = start == 0 && head_h > rest ? head_h : rest;
        bool at_top = p->y <= p->row_top + 0.01;
        if (!at_top && need > avail &&
            (need <= page_room || head_h > avail || !n || v[start].bottom - v[start].top > avail)) {
            new_page(p);
            page_room = BOTTOM - p->row_top - 2 * PAD;
            continue;
        }
        size_t end = n ? fitting(v, n, start, avail) : 0;
        double h = n ? v[end - 1].bottom - v[start].top : 0;
        if (start == 0 && head_h > h) h = head_h;
        cell_borders(p, p->y, h + 2 * PAD, header);
        if (start == 0) {
            show(p, ln, M_LEFT + PAD, p->y + PAD);
            show(p, ll, M_LEFT + COL_NUM + PAD, p->y + PAD);
        }
        for (size_t i = start; i < end; i++) {
            cairo_move_to(p->cr, M_LEFT + COL_NUM + COL_LABEL + PAD + v[i].x,
                          p->y + PAD + v[i].baseline - v[start].top);
            pango_cairo_show_layout_line(p->cr, v[i].line);
        }
        p->y += h + 2 * PAD;
        if (end >= n) break;
        start = end;
        new_page(p);
        page_room = BOTTOM - p->row_top - 2 * PAD;
    }
    free(v);
    g_object_unref(ln);
    g_object_unref(ll);
    g_object_unref(lv);
}

static void draw_table(pdf_t *p)
{
    p->in_table = true;
    if (p->y + 60 > BOTTOM) new_page(p);
    draw_row(p, "TT", "Nội dung", "Thông tin", true);
    p->row_top = p->y;
    for (size_t i = 0; i < p->r->n_rows; i++) {
        char num[24];
        snprintf(num, sizeof(num), "%zu", i + 1);
        draw_row(p, num, report_field_vi(p->r->rows[i].field), p->r->rows[i].value, false);
    }
    p->in_table = false;
}

/* ---- the parts around the table ---------------------------------------------------------- */

static char *upper(const char *s)
{
    return g_utf8_strup(s, -1);
}

static void draw_header(pdf_t *p)
{
    const report_t *r = p->r;
    const report_settings_t *s = r->settings;
    double xl = M_LEFT - HEAD_SHIFT, xr = xl + HEAD_LEFT_W,
           wr = CONTENT_W - HEAD_LEFT_W + HEAD_SHIFT;
    double yl = M_TOP, yr = M_TOP;
    /* left: the owner agency, then the reporting unit in bold, a short rule */
    if (s->owner[0]) {
        char *u = upper(s->owner);
        yl += text_at(p, u, F_HEAD, xl, yl, HEAD_LEFT_W, PANGO_ALIGN_CENTER);
        g_free(u);
    }
    if (s->unit[0]) {
        char *u = upper(s->unit);
        yl += text_at(p, u, F_HEAD_BOLD, xl, yl, HEAD_LEFT_W, PANGO_ALIGN_CENTER);
        g_free(u);
    }
    if (s->owner[0] || s->unit[0]) rule(p, xl, HEAD_LEFT_W, 60, yl + 3);
    /* right: the national motto, the second line underlined */
    const char *motto2 = "Độc lập - Tự do - Hạnh phúc";
    yr += text_at(p, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", F_HEAD_BOLD, xr, yr, wr,
                  PANGO_ALIGN_CENTER);
    yr += text_at(p, motto2, F_MOTTO, xr, yr, wr, PANGO_ALIGN_CENTER);
    rule(p, xr, wr, text_width(p, motto2, F_MOTTO), yr + 2);
    double y = (yl > yr ? yl : yr) + 12;
    char num[128];
    snprintf(num, sizeof(num), "Số: %s", r->number);
    double h1 = text_at(p, num, F_HEAD, xl, y, HEAD_LEFT_W, PANGO_ALIGN_CENTER);
    double h2 = text_at(p, r->date_line, F_ITALIC, xr, y, wr, PANGO_ALIGN_CENTER);
    p->y = y + (h1 > h2 ? h1 : h2) + 22;
}

/* A paragraph across the text width, on the next page when it does not fit. */
static void para(pdf_t *p, const char *text, const char *font, double gap)
{
    PangoLayout *l = layout(p, text, font, CONTENT_W, PANGO_ALIGN_CENTER);
    double h = height_of(l);
    if (p->y + h > BOTTOM && p->y > M_TOP) new_page(p);
    show(p, l, M_LEFT, p->y);
    p->y += h + gap;
    g_object_unref(l);
}

static void draw_title(pdf_t *p)
{
    const report_t *r = p->r;
    const report_profile_t *pr = r->profile;
    char buf[REPORT_TEXT_MAX * (REPORT_LEGAL_MAX + 1) + 64];
    para(p, pr->kinds[r->kind].title, F_TITLE, 4);
    snprintf(buf, sizeof(buf), "(%s theo %s)", pr->kinds[r->kind].name, pr->title);
    para(p, buf, F_ITALIC, 6);
    if (pr->n_legal) {
        size_t len = (size_t)snprintf(buf, sizeof(buf), "Căn cứ: ");
        for (size_t i = 0; i < pr->n_legal && len < sizeof(buf); i++)
            len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", pr->legal[i],
                                    i + 1 < pr->n_legal ? "; " : ".");
        para(p, buf, F_SMALL_IT, 8);
    }
    snprintf(buf, sizeof(buf), "Kính gửi: %s", pr->recipient);
    para(p, buf, F_BODY, 14);
}

static void draw_signature(pdf_t *p)
{
    const report_t *r = p->r;
    double h = 110, wl = CONTENT_W * 0.45, xr = M_LEFT + CONTENT_W * 0.5, wr = CONTENT_W * 0.5;
    p->y += 16;
    if (p->y + h > BOTTOM) new_page(p);
    double y = p->y;
    double yl =
        y + text_at(p, "Nơi nhận:", FONT " Bold Italic 9.5", M_LEFT, y, wl, PANGO_ALIGN_LEFT);
    yl += text_at(p, "- Như trên;", F_SMALL, M_LEFT, yl, wl, PANGO_ALIGN_LEFT);
    char keep[96];
    snprintf(keep, sizeof(keep), "- Lưu: hồ sơ sự cố %s.", r->incident_id);
    text_at(p, keep, F_SMALL, M_LEFT, yl, wl, PANGO_ALIGN_LEFT);
    double yr = y + text_at(p, "NGƯỜI BÁO CÁO", F_BOLD, xr, y, wr, PANGO_ALIGN_CENTER);
    yr += text_at(p, "(Ký, ghi rõ họ tên)", F_ITALIC, xr, yr, wr, PANGO_ALIGN_CENTER);
    text_at(p, r->reporter, F_BOLD, xr, yr + 50, wr, PANGO_ALIGN_CENTER);
    p->y = y + h;
}

/* One whole pass; returns the number of pages. */
static int render(cairo_surface_t *surface, const report_t *r, int total)
{
    pdf_t p = {.r = r, .page = 1, .total = total, .y = M_TOP};
    p.cr = cairo_create(surface);
    cairo_set_source_rgb(p.cr, 0, 0, 0);
    draw_header(&p);
    draw_title(&p);
    p.row_top = M_TOP;
    draw_table(&p);
    draw_signature(&p);
    footer(&p);
    cairo_show_page(p.cr);
    cairo_destroy(p.cr);
    return p.page;
}

/* ---- output --------------------------------------------------------------------------------- */

typedef struct sink {
    FILE *f;
    int err; /* errno of the first failed write */
} sink_t;

static cairo_status_t write_sink(void *closure, const unsigned char *data, unsigned int len)
{
    sink_t *s = closure;
    if (!s->f) return CAIRO_STATUS_SUCCESS; /* the counting pass */
    if (fwrite(data, 1, len, s->f) == len) return CAIRO_STATUS_SUCCESS;
    if (!s->err) s->err = errno ? errno : EIO;
    return CAIRO_STATUS_WRITE_ERROR;
}

static int pass(const report_t *r, sink_t *sink, int total, int *pages, char *err, size_t errlen,
                const char *path)
{
    cairo_surface_t *surface =
        cairo_pdf_surface_create_for_stream(write_sink, sink, PAGE_W, PAGE_H);
    if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
        snprintf(err, errlen, "%s: cannot start a PDF: %s", path,
                 cairo_status_to_string(cairo_surface_status(surface)));
        cairo_surface_destroy(surface);
        return -1;
    }
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE,
                                   r->profile->kinds[r->kind].title);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_SUBJECT, r->incident_id);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "socctl incidents report");
    *pages = render(surface, r, total);
    cairo_surface_finish(surface);
    cairo_status_t st = cairo_surface_status(surface);
    cairo_surface_destroy(surface);
    if (st == CAIRO_STATUS_SUCCESS && !sink->err) return 0;
    snprintf(err, errlen, "%s: %s", path,
             sink->err ? strerror(sink->err) : cairo_status_to_string(st));
    return -1;
}

int report_pdf_write(const report_t *r, const char *path, int *pages, char *err, size_t errlen)
{
    sink_t counting = {0};
    int total;
    if (pass(r, &counting, 0, &total, err, errlen, path) < 0) return -1;
    sink_t out = {.f = fopen(path, "wb")};
    if (!out.f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    int n;
    int rc = pass(r, &out, total, &n, err, errlen, path);
    if (fclose(out.f) != 0 && rc == 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        rc = -1;
    }
    if (rc == 0 && pages) *pages = n;
    return rc;
}

void report_pdf_release(void)
{
    /* in this order: the font map holds cairo font faces, which hold
     * fontconfig patterns */
    pango_cairo_font_map_set_default(NULL);
    cairo_debug_reset_static_data();
    FcFini();
}
