/*
 * capi-probe: drives the real libcapi20 (rcapi module) against capi-sim.
 * Usage: capi-probe <called-number> <sff-to-send> <file-for-received-sff>
 * Reads manufacturer/version/serial/profile, registers, LISTENs, sends one fax, then
 * prints READY and receives one fax. Every step prints one "key value" line on stdout.
 * Compiled by the capi-sim tests at run time: cc -o probe capi-probe.c -lcapi20
 */
#include <capi20.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

static unsigned appl;
static unsigned short msgnum = 1;
static unsigned char out[4096];
static int pos;

static void w8(unsigned v) { out[pos++] = (unsigned char)v; }
static void w16(unsigned v) { w8(v & 0xff); w8((v >> 8) & 0xff); }
static void w32(unsigned v) { w16(v & 0xffff); w16(v >> 16); }
static void wstr(const char *prefix, int plen, const char *s) {
  int n = (int)strlen(s);
  w8(plen + n);
  for (int i = 0; i < plen; i++) w8((unsigned char)prefix[i]);
  for (int i = 0; i < n; i++) w8((unsigned char)s[i]);
}
static void begin(unsigned cmd, unsigned sub) {
  pos = 0;
  w16(0); w16(appl); w8(cmd); w8(sub); w16(msgnum++);
}
static unsigned put(void) {
  out[0] = pos & 0xff;
  out[1] = pos >> 8;
  return capi20_put_message(appl, out);
}
static unsigned r16(const unsigned char *m, int o) { return m[o] | (m[o + 1] << 8); }
static unsigned r32(const unsigned char *m, int o) { return r16(m, o) | (r16(m, o + 2) << 16); }

/* Fax B protocol 4/4/4, empty configs except the station ID (resolution fine). */
static void bprotocol(void) {
  static const unsigned char b3cfg[] = {1, 0, 0, 0, 5, 'P', 'R', 'O', 'B', 'E', 0};
  w8(6 + 1 + 1 + 1 + sizeof b3cfg + 1);
  w16(4); w16(4); w16(4);
  w8(0); w8(0);
  w8(sizeof b3cfg);
  for (unsigned i = 0; i < sizeof b3cfg; i++) w8(b3cfg[i]);
  w8(0); /* global configuration */
}

static unsigned char *wait_msg(int seconds) {
  unsigned char *m;
  struct timeval tv = {seconds, 0};
  if (capi20_waitformessage(appl, &tv) != 0) return NULL;
  if (capi20_get_message(appl, &m) != 0) return NULL;
  return m;
}

/* Waits for a message with this command/subcommand; answers the usual INDs on the way. */
static unsigned char *expect(unsigned cmd, unsigned sub, int seconds) {
  for (;;) {
    unsigned char *m = wait_msg(seconds);
    if (!m) return NULL;
    if (m[4] == cmd && m[5] == sub) return m;
    printf("skip %02x/%02x\n", m[4], m[5]);
  }
}

int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: capi-probe called sff-in sff-out\n"); return 2; }
  setvbuf(stdout, NULL, _IONBF, 0);
  unsigned char buf[256];
  printf("isinstalled 0x%04x\n", capi20_isinstalled());
  unsigned char *mf = capi20_get_manufacturer(0, buf);
  printf("manufacturer %s\n", mf ? (char *)buf : "(null)");
  unsigned char ser[64] = {0};
  printf("serial %s\n", capi20_get_serial_number(0, ser) ? (char *)ser : "(null)");
  unsigned char prof[64];
  memset(prof, 0, sizeof prof);
  unsigned pi = capi20_get_profile(0, prof);
  printf("profile0 0x%04x controllers %u\n", pi, r16(prof, 0));
  pi = capi20_get_profile(1, prof);
  printf("profile1 0x%04x bchannels %u b1 0x%x b2 0x%x b3 0x%x\n", pi, r16(prof, 2), r32(prof, 8), r32(prof, 12), r32(prof, 16));

  unsigned rc = capi20_register(2, 7, 2048, &appl);
  printf("register 0x%04x\n", rc);
  if (rc) return 1;

  begin(0x05, 0x80); w32(1); w32(0); w32(0x10 | 0x20000); w32(0); w8(0); w8(0);
  printf("put_listen 0x%04x\n", put());
  unsigned char *m = expect(0x05, 0x81, 5);
  if (!m) return 1;
  printf("listen_conf 0x%04x\n", r16(m, 12));

  /* ---- send ---- */
  FILE *f = fopen(argv[2], "rb");
  if (!f) return 1;
  static unsigned char sff[1 << 20];
  size_t sfflen = fread(sff, 1, sizeof sff, f);
  fclose(f);

  begin(0x02, 0x80); w32(1); w16(4);
  wstr("\x80", 1, argv[1]);
  wstr("\x00\x80", 2, "3001");
  w8(0); w8(0);
  bprotocol();
  w8(0); w8(0); w8(0); w8(0);
  printf("put_connect 0x%04x\n", put());
  m = expect(0x02, 0x81, 5);
  if (!m) return 1;
  unsigned plci = r32(m, 8);
  printf("connect_conf 0x%04x\n", r16(m, 12));
  m = expect(0x03, 0x82, 10);
  if (!m) return 1;
  begin(0x03, 0x83); w32(plci); put();
  begin(0x82, 0x80); w32(plci); w8(0); put();
  m = expect(0x82, 0x81, 5);
  unsigned ncci = r32(m, 8);
  printf("connect_b3_conf 0x%04x\n", r16(m, 12));
  m = expect(0x83, 0x82, 10);
  if (!m) return 1;
  printf("b3_active_rate %u\n", r16(m, 13));
  begin(0x83, 0x83); w32(ncci); put();

  size_t off = 0;
  unsigned outstanding = 0, handle = 0, confs = 0;
  while (off < sfflen || outstanding > 0) {
    if (off < sfflen && outstanding < 7) {
      size_t n = sfflen - off > 2048 ? 2048 : sfflen - off;
      begin(0x86, 0x80); w32(ncci); w32(0); w16((unsigned)n); w16(handle++); w16(0);
      memcpy(out + pos, sff + off, n); /* 22-byte form: data right after the message */
      put();
      off += n;
      outstanding++;
      continue;
    }
    m = expect(0x86, 0x81, 10);
    if (!m) return 1;
    if (r16(m, 14) != 0) printf("data_conf_info 0x%04x\n", r16(m, 14));
    outstanding--;
    confs++;
  }
  printf("data_confs %u\n", confs);
  begin(0x84, 0x80); w32(ncci); w8(0); put();
  m = expect(0x84, 0x82, 10);
  if (!m) return 1;
  printf("send_reason_b3 0x%04x pages %u\n", r16(m, 12), m[14] >= 9 ? r16(m, 21) : 0);
  begin(0x84, 0x83); w32(ncci); put();
  begin(0x04, 0x80); w32(plci); w8(0); put();
  m = expect(0x04, 0x82, 10);
  if (!m) return 1;
  printf("send_reason 0x%04x\n", r16(m, 12));
  begin(0x04, 0x83); w32(plci); put();

  /* ---- receive ---- */
  printf("READY\n");
  m = expect(0x02, 0x82, 30);
  if (!m) return 1;
  plci = r32(m, 8);
  printf("connect_ind cip %u\n", r16(m, 12));
  begin(0x02, 0x83); w32(plci); w16(0); bprotocol(); w8(0); w8(0); w8(0); w8(0);
  put();
  FILE *o = fopen(argv[3], "wb");
  if (!o) return 1;
  unsigned inds = 0;
  for (;;) {
    m = wait_msg(20);
    if (!m) return 1;
    unsigned cmd = m[4], sub = m[5];
    if (cmd == 0x03 && sub == 0x82) { begin(0x03, 0x83); w32(plci); put(); }
    else if (cmd == 0x82 && sub == 0x82) { ncci = r32(m, 8); begin(0x82, 0x83); w32(ncci); w16(0); w8(0); put(); }
    else if (cmd == 0x83 && sub == 0x82) { begin(0x83, 0x83); w32(ncci); put(); }
    else if (cmd == 0x86 && sub == 0x82) {
      /* 64-bit: the library hands the data through Data64 at offset 22 */
      unsigned len = r16(m, 16), h = r16(m, 18);
      unsigned char *data;
      memcpy(&data, m + 22, sizeof data);
      fwrite(data, 1, len, o);
      inds++;
      begin(0x86, 0x83); w32(ncci); w16(h); put();
    } else if (cmd == 0x84 && sub == 0x82) {
      printf("recv_reason_b3 0x%04x\n", r16(m, 12));
      begin(0x84, 0x83); w32(ncci); put();
    } else if (cmd == 0x04 && sub == 0x82) {
      printf("recv_reason 0x%04x data_inds %u\n", r16(m, 12), inds);
      begin(0x04, 0x83); w32(plci); put();
      break;
    }
  }
  fclose(o);
  printf("release 0x%04x\n", capi20_release(appl));
  return 0;
}
