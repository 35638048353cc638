/*
 * codec-harness: the C side of `npm run bench:codec` — libtiff's and spandsp's CCITT coders
 * timed in-process on the same pages our TypeScript codec is timed on, in the same run.
 *
 * BENCHMARK ONLY. This program is built at bench time (bench/native/build.ts, system cc,
 * Debian's libtiff-dev and libspandsp-dev) and runs as a separate process. spandsp is
 * LGPL-2.1 (its tests and some parts GPL): it is never linked into, loaded by or shipped with
 * the gateway, whose process stays Apache-2.0. Nothing in faxgate's packages depends on it.
 *
 * usage: codec-harness CLOCK ITERATIONS CODING TIFF1 PBM1 [TIFF2 PBM2 ...]
 *   CLOCK       cpu (CLOCK_PROCESS_CPUTIME_ID, as the TS bench's default) or wall (CLOCK_MONOTONIC)
 *   CODING      mh (T.4 1D), mr (T.4 2D, K=4 at fine resolution) or mmr (T.6)
 *   TIFFn PBMn  page n as a libtiff-coded TIFF of that coding (what is decoded) and as PBM
 *               (what is encoded, and what every decode is checked against)
 * Prints one JSON line: ms per page for libtiff and spandsp, encode and decode, and whether
 * every output was checked pixel-exact against the PBM.
 *
 * Timed: only the codec calls — libtiff TIFFWriteEncodedStrip / TIFFReadEncodedStrip on
 * in-memory TIFFs (opening, tags and closing outside the clock); spandsp t4_tx_start_page plus
 * draining t4_tx_get_chunk (0.0.6 encodes the page in start_page from the rows our handler
 * hands it; the call also re-reads the TIFF directory t4_tx_init needs) and t4_rx_put_chunk
 * (spandsp 0.0.6 has no standalone t4_t6_encode/t4_t6_decode API; t4_tx/t4_rx are its T.4/T.6
 * coder).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <tiffio.h>
#include <spandsp.h>

typedef struct {
    int width, height, stride;
    uint8_t *bits; /* packed rows, MSB first, 1 = black (PBM, TIFF min-is-white) */
    uint8_t *tiff; /* the coded TIFF file */
    size_t tiff_len;
} page_t;

static clockid_t clock_id = CLOCK_PROCESS_CPUTIME_ID;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(clock_id, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "codec-harness: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) die(path, strerror(errno));
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t) n);
    if (!buf || fread(buf, 1, (size_t) n, f) != (size_t) n) die(path, "read failed");
    fclose(f);
    *len = (size_t) n;
    return buf;
}

static void read_pbm(const char *path, page_t *p)
{
    size_t len;
    uint8_t *d = read_file(path, &len);
    size_t i = 0;
    int fields[2], nf = 0;
    if (len < 3 || d[0] != 'P' || d[1] != '4') die(path, "not a binary PBM");
    i = 2;
    while (nf < 2 && i < len) {
        if (d[i] == '#') { while (i < len && d[i] != '\n') i++; continue; }
        if (d[i] >= '0' && d[i] <= '9') {
            int v = 0;
            while (i < len && d[i] >= '0' && d[i] <= '9') v = v * 10 + (d[i++] - '0');
            fields[nf++] = v;
            continue;
        }
        i++;
    }
    i++; /* the one whitespace after the height */
    p->width = fields[0];
    p->height = fields[1];
    p->stride = (p->width + 7) / 8;
    if (len - i < (size_t) p->stride * p->height) die(path, "PBM too short");
    p->bits = malloc((size_t) p->stride * p->height);
    memcpy(p->bits, d + i, (size_t) p->stride * p->height);
    free(d);
}

/* ---- libtiff on memory ------------------------------------------------------------- */

typedef struct { uint8_t *buf; size_t len, cap, pos; } mem_t;

static tmsize_t m_read(thandle_t h, void *d, tmsize_t n)
{
    mem_t *m = h;
    if (m->pos >= m->len) return 0;
    if ((size_t) n > m->len - m->pos) n = (tmsize_t) (m->len - m->pos);
    memcpy(d, m->buf + m->pos, (size_t) n);
    m->pos += (size_t) n;
    return n;
}

static tmsize_t m_write(thandle_t h, void *d, tmsize_t n)
{
    mem_t *m = h;
    if (m->pos + (size_t) n > m->cap) {
        size_t cap = m->cap ? m->cap : 65536;
        while (cap < m->pos + (size_t) n) cap *= 2;
        m->buf = realloc(m->buf, cap);
        m->cap = cap;
    }
    memcpy(m->buf + m->pos, d, (size_t) n);
    m->pos += (size_t) n;
    if (m->pos > m->len) m->len = m->pos;
    return n;
}

static toff_t m_seek(thandle_t h, toff_t off, int whence)
{
    mem_t *m = h;
    size_t base = whence == SEEK_CUR ? m->pos : whence == SEEK_END ? m->len : 0;
    m->pos = base + (size_t) off;
    return m->pos;
}

static int m_close(thandle_t h) { (void) h; return 0; }
static toff_t m_size(thandle_t h) { return ((mem_t *) h)->len; }
static int m_map(thandle_t h, void **base, toff_t *size) { (void) h; (void) base; (void) size; return 0; }
static void m_unmap(thandle_t h, void *base, toff_t size) { (void) h; (void) base; (void) size; }

static TIFF *mem_open(mem_t *m, const char *mode)
{
    m->pos = 0;
    return TIFFClientOpen("mem", mode, m, m_read, m_write, m_seek, m_close, m_size, m_map, m_unmap);
}

static int coding_compression(const char *c) { return strcmp(c, "mmr") == 0 ? COMPRESSION_CCITTFAX4 : COMPRESSION_CCITTFAX3; }

/* Decodes the first (only) strip of a TIFF in memory into out; returns ms spent in the codec. */
static double libtiff_decode(const uint8_t *file, size_t len, uint8_t *out, size_t out_len)
{
    mem_t m = { (uint8_t *) file, len, len, 0 };
    TIFF *t = mem_open(&m, "rm");
    if (!t) die("libtiff", "cannot open TIFF");
    tstrip_t strips = TIFFNumberOfStrips(t);
    size_t at = 0;
    double t0 = now_ms();
    for (tstrip_t s = 0; s < strips; s++) {
        tmsize_t n = TIFFReadEncodedStrip(t, s, out + at, (tmsize_t) (out_len - at));
        if (n < 0) die("libtiff", "decode failed");
        at += (size_t) n;
    }
    double ms = now_ms() - t0;
    TIFFClose(t);
    return ms;
}

static double libtiff_encode(const page_t *p, const char *coding, mem_t *m)
{
    m->len = 0;
    TIFF *t = mem_open(m, "w");
    if (!t) die("libtiff", "cannot create TIFF");
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, p->width);
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, p->height);
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 1);
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
    TIFFSetField(t, TIFFTAG_FILLORDER, FILLORDER_MSB2LSB);
    TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, p->height);
    TIFFSetField(t, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
    TIFFSetField(t, TIFFTAG_XRESOLUTION, 204.0);
    TIFFSetField(t, TIFFTAG_YRESOLUTION, 196.0); /* fine: libtiff's 2D coding uses K=4 */
    TIFFSetField(t, TIFFTAG_COMPRESSION, coding_compression(coding));
    if (strcmp(coding, "mr") == 0) TIFFSetField(t, TIFFTAG_GROUP3OPTIONS, GROUP3OPT_2DENCODING);
    else if (strcmp(coding, "mh") == 0) TIFFSetField(t, TIFFTAG_GROUP3OPTIONS, 0);
    double t0 = now_ms();
    if (TIFFWriteEncodedStrip(t, 0, p->bits, (tmsize_t) p->stride * p->height) < 0) die("libtiff", "encode failed");
    double ms = now_ms() - t0;
    TIFFClose(t);
    return ms;
}

/* ---- spandsp ------------------------------------------------------------------------ */

typedef struct { const page_t *p; int row; uint8_t *out; int rows_out; } rows_t;

static int sp_read_row(void *user, uint8_t buf[], size_t len)
{
    rows_t *r = user;
    if (r->row >= r->p->height) return 0;
    memcpy(buf, r->p->bits + (size_t) r->row * r->p->stride, len < (size_t) r->p->stride ? len : (size_t) r->p->stride);
    r->row++;
    return (int) len;
}

static int sp_write_row(void *user, const uint8_t buf[], size_t len)
{
    rows_t *r = user;
    if (len == 0) return 0; /* end of page */
    if (r->rows_out < r->p->height) memcpy(r->out + (size_t) r->rows_out * r->p->stride, buf, (size_t) r->p->stride);
    r->rows_out++;
    return 0;
}

static int sp_encoding(const char *c)
{
    return strcmp(c, "mh") == 0 ? T4_COMPRESSION_ITU_T4_1D : strcmp(c, "mr") == 0 ? T4_COMPRESSION_ITU_T4_2D : T4_COMPRESSION_ITU_T6;
}

/* Encodes page p with spandsp into *coded (bits in transmission order, LSB first); returns ms. */
static double spandsp_encode(const char *tiff_path, const page_t *p, const char *coding, uint8_t **coded, size_t *coded_len)
{
    t4_tx_state_t *s = t4_tx_init(NULL, tiff_path, -1, -1);
    if (!s) die("spandsp", "t4_tx_init failed");
    t4_tx_set_tx_encoding(s, sp_encoding(coding));
    t4_tx_set_min_bits_per_row(s, 0);
    rows_t r = { p, 0, NULL, 0 };
    t4_tx_set_row_read_handler(s, sp_read_row, &r);
    size_t cap = 1 << 20, len = 0;
    uint8_t *buf = malloc(cap);
    double t0 = now_ms();
    if (t4_tx_start_page(s)) die("spandsp", "t4_tx_start_page failed");
    for (;;) {
        if (cap - len < 4096) { cap *= 2; buf = realloc(buf, cap); }
        int n = t4_tx_get_chunk(s, buf + len, 4096);
        if (n <= 0) break;
        len += (size_t) n;
    }
    double ms = now_ms() - t0;
    t4_tx_end_page(s);
    t4_tx_free(s);
    free(*coded);
    *coded = buf;
    *coded_len = len;
    return ms;
}

/* Decodes spandsp-order bits with spandsp into out; returns ms, sets *rows. */
static double spandsp_decode(const char *tmp_tiff, const page_t *p, const char *coding, const uint8_t *coded, size_t len, uint8_t *out, int *rows)
{
    t4_rx_state_t *s = t4_rx_init(NULL, tmp_tiff, T4_COMPRESSION_ITU_T6);
    if (!s) die("spandsp", "t4_rx_init failed");
    t4_rx_set_rx_encoding(s, sp_encoding(coding));
    t4_rx_set_image_width(s, p->width);
    t4_rx_set_x_resolution(s, T4_X_RESOLUTION_R8);
    t4_rx_set_y_resolution(s, T4_Y_RESOLUTION_FINE);
    rows_t r = { p, 0, out, 0 };
    t4_rx_set_row_write_handler(s, sp_write_row, &r);
    t4_rx_start_page(s);
    double t0 = now_ms();
    t4_rx_put_chunk(s, coded, (int) len);
    double ms = now_ms() - t0;
    t4_rx_end_page(s);
    t4_rx_free(s);
    *rows = r.rows_out;
    return ms;
}

/* ---- main --------------------------------------------------------------------------- */

static int same_pixels(const page_t *p, const uint8_t *out)
{
    return memcmp(p->bits, out, (size_t) p->stride * p->height) == 0;
}

static void reverse_bits(uint8_t *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t b = d[i], r = 0;
        for (int k = 0; k < 8; k++) r |= (uint8_t) (((b >> k) & 1) << (7 - k));
        d[i] = r;
    }
}

/* A T.4 page ends with RTC (six EOLs; in 2D coding each followed by the 1D tag bit): the
   TIFF strip has none, a fax line always does, and spandsp only ends the last row at it.
   Appended byte-aligned, in line order (LSB first), as the bits following the strip. */
static uint8_t *with_rtc(const uint8_t *strip, size_t len, const char *coding, size_t *out_len)
{
    int tag = strcmp(coding, "mr") == 0;
    size_t bits = 6 * (12 + (size_t) tag);
    uint8_t *d = calloc(len + (bits + 7) / 8, 1);
    memcpy(d, strip, len);
    size_t k = len * 8;
    for (int e = 0; e < 6; e++) {
        k += 11; /* eleven zeros */
        d[k / 8] |= (uint8_t) (1u << (k % 8));
        k++;
        if (tag) {
            d[k / 8] |= (uint8_t) (1u << (k % 8));
            k++;
        }
    }
    *out_len = (k + 7) / 8;
    return d;
}

static void quiet(const char *m, const char *f, va_list ap) { (void) m; (void) f; (void) ap; }

int main(int argc, char **argv)
{
    if (argc < 6 || (argc - 4) % 2) die("usage", "codec-harness cpu|wall ITERATIONS mh|mr|mmr TIFF1 PBM1 [TIFF2 PBM2 ...]");
    clock_id = strcmp(argv[1], "wall") == 0 ? CLOCK_MONOTONIC : CLOCK_PROCESS_CPUTIME_ID;
    int iterations = atoi(argv[2]);
    const char *coding = argv[3];
    int n = (argc - 4) / 2;
    TIFFSetWarningHandler(quiet);
    page_t *pages = calloc((size_t) n, sizeof *pages);
    const char **tiff_paths = calloc((size_t) n, sizeof *tiff_paths);
    for (int i = 0; i < n; i++) {
        tiff_paths[i] = argv[4 + 2 * i];
        pages[i].tiff = read_file(tiff_paths[i], &pages[i].tiff_len);
        read_pbm(argv[5 + 2 * i], &pages[i]);
    }
    char tmp_tiff[] = "/tmp/codec-harness-XXXXXX";
    int fd = mkstemp(tmp_tiff);
    if (fd < 0) die("mkstemp", strerror(errno));
    close(fd);

    size_t out_len = (size_t) pages[0].stride * pages[0].height;
    uint8_t *out = malloc(out_len);
    mem_t enc = { 0 };
    uint8_t **sp_coded = calloc((size_t) n, sizeof *sp_coded);
    size_t *sp_len = calloc((size_t) n, sizeof *sp_len);
    int lt_ok = 1, sp_enc_ok = 1, sp_dec_ok = 1;

    /* Checks first (untimed): libtiff decodes the TIFF and its own encoding to the PBM; spandsp
       decodes its own encoding and the TIFF's strip (bit-reversed: spandsp takes bits in line
       order, LSB first; T.4 with RTC appended) to the PBM. */
    uint8_t **strips_lsb = calloc((size_t) n, sizeof *strips_lsb);
    size_t *strip_len = calloc((size_t) n, sizeof *strip_len);
    for (int i = 0; i < n; i++) {
        libtiff_decode(pages[i].tiff, pages[i].tiff_len, out, out_len);
        lt_ok &= same_pixels(&pages[i], out);
        libtiff_encode(&pages[i], coding, &enc);
        libtiff_decode(enc.buf, enc.len, out, out_len);
        lt_ok &= same_pixels(&pages[i], out);

        spandsp_encode(tiff_paths[i], &pages[i], coding, &sp_coded[i], &sp_len[i]);
        int rows = 0;
        memset(out, 0, out_len);
        spandsp_decode(tmp_tiff, &pages[i], coding, sp_coded[i], sp_len[i], out, &rows);
        sp_enc_ok &= rows >= pages[i].height && same_pixels(&pages[i], out);

        mem_t m = { pages[i].tiff, pages[i].tiff_len, pages[i].tiff_len, 0 };
        TIFF *t = mem_open(&m, "rm");
        uint64_t *offs = NULL, *cnts = NULL;
        TIFFGetField(t, TIFFTAG_STRIPOFFSETS, &offs);
        TIFFGetField(t, TIFFTAG_STRIPBYTECOUNTS, &cnts);
        strip_len[i] = (size_t) cnts[0];
        strips_lsb[i] = malloc(strip_len[i]);
        memcpy(strips_lsb[i], pages[i].tiff + offs[0], strip_len[i]);
        TIFFClose(t);
        reverse_bits(strips_lsb[i], strip_len[i]);
        if (strcmp(coding, "mmr") != 0) {
            uint8_t *r = with_rtc(strips_lsb[i], strip_len[i], coding, &strip_len[i]);
            free(strips_lsb[i]);
            strips_lsb[i] = r;
        }
        memset(out, 0, out_len);
        spandsp_decode(tmp_tiff, &pages[i], coding, strips_lsb[i], strip_len[i], out, &rows);
        sp_dec_ok &= rows >= pages[i].height && same_pixels(&pages[i], out);
    }

    double lt_enc = 0, lt_dec = 0, sp_enc = 0, sp_dec = 0;
    int warm = iterations / 4 > 1 ? iterations / 4 : 1;
    for (int k = -warm; k < iterations; k++) {
        double a = 0, b = 0, c = 0, d = 0;
        for (int i = 0; i < n; i++) {
            int rows;
            a += libtiff_encode(&pages[i], coding, &enc);
            b += libtiff_decode(pages[i].tiff, pages[i].tiff_len, out, out_len);
            c += spandsp_encode(tiff_paths[i], &pages[i], coding, &sp_coded[i], &sp_len[i]);
            d += spandsp_decode(tmp_tiff, &pages[i], coding, strips_lsb[i], strip_len[i], out, &rows);
        }
        if (k < 0) continue;
        lt_enc += a; lt_dec += b; sp_enc += c; sp_dec += d;
    }
    unlink(tmp_tiff);
    double per = (double) iterations * n;
    printf("{\"coding\":\"%s\",\"pages\":%d,\"iterations\":%d,\"clock\":\"%s\","
           "\"libtiff\":{\"enc\":%.4f,\"dec\":%.4f,\"checked\":%s},"
           "\"spandsp\":{\"enc\":%.4f,\"dec\":%.4f,\"encChecked\":%s,\"decChecked\":%s}}\n",
           coding, n, iterations, clock_id == CLOCK_MONOTONIC ? "wall" : "cpu",
           lt_enc / per, lt_dec / per, lt_ok ? "true" : "false",
           sp_enc / per, sp_dec / per, sp_enc_ok ? "true" : "false", sp_dec_ok ? "true" : "false");
    return 0;
}
