/*
 * Test helper: runs libcapi20's own message converter (capi_message2cmsg / capi_cmsg2message)
 * so our TypeScript codec can be compared with it. Compiled at test time with
 *   cc -o capi-convert capi-convert.c -lcapi20
 * Reads lines on stdin, writes one line per input line on stdout:
 *   D <hex message>                    -> "<hex re-encoded> <Field=value>..." (message2cmsg, then cmsg2message)
 *   E <cmd> <sub> <applid> <msgnum> <Field=value>...  -> "<hex>"   (cmsg2message)
 *   T <n> <hex message>               -> "<ns per capi_message2cmsg> <ns per capi_cmsg2message>" (benchmark anchor)
 *   either -> "unsupported" when the library has no parameter table for the command
 * Values: numbers in hex; structs as hex of their contents ("-" = empty/absent struct pointer);
 * compound structs (BProtocol, AdditionalInfo) as "default" or "compose".
 */
#include <capiutils.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum kind { DW, W, QW, ST, CM };
struct field { const char *name; enum kind k; size_t off; };
#define F(n, k, m) { n, k, offsetof(_cmsg, m) }
static const struct field fields[] = {
  F("adr", DW, adr.adrController),
  F("AdditionalInfo", CM, AdditionalInfo),
  F("B1configuration", ST, B1configuration),
  F("B1protocol", W, B1protocol),
  F("B2configuration", ST, B2configuration),
  F("B2protocol", W, B2protocol),
  F("B3configuration", ST, B3configuration),
  F("B3protocol", W, B3protocol),
  F("BC", ST, BC),
  F("BChannelinformation", ST, BChannelinformation),
  F("BProtocol", CM, BProtocol),
  F("CalledPartyNumber", ST, CalledPartyNumber),
  F("CalledPartySubaddress", ST, CalledPartySubaddress),
  F("CallingPartyNumber", ST, CallingPartyNumber),
  F("CallingPartySubaddress", ST, CallingPartySubaddress),
  F("CIPmask", DW, CIPmask),
  F("CIPmask2", DW, CIPmask2),
  F("CIPValue", W, CIPValue),
  F("Class", DW, Class),
  F("ConnectedNumber", ST, ConnectedNumber),
  F("ConnectedSubaddress", ST, ConnectedSubaddress),
  F("Data32", DW, Data32),
  F("Data64", QW, Data64),
  F("DataHandle", W, DataHandle),
  F("DataLength", W, DataLength),
  F("FacilityConfirmationParameter", ST, FacilityConfirmationParameter),
  F("Facilitydataarray", ST, Facilitydataarray),
  F("FacilityIndicationParameter", ST, FacilityIndicationParameter),
  F("FacilityRequestParameter", ST, FacilityRequestParameter),
  F("FacilityResponseParameters", ST, FacilityResponseParameters),
  F("FacilitySelector", W, FacilitySelector),
  F("Flags", W, Flags),
  F("Function", DW, Function),
  F("Globalconfiguration", ST, Globalconfiguration),
  F("HLC", ST, HLC),
  F("Info", W, Info),
  F("InfoElement", ST, InfoElement),
  F("InfoMask", DW, InfoMask),
  F("InfoNumber", W, InfoNumber),
  F("Keypadfacility", ST, Keypadfacility),
  F("LLC", ST, LLC),
  F("ManuData", ST, ManuData),
  F("ManuID", DW, ManuID),
  F("NCPI", ST, NCPI),
  F("Reason", W, Reason),
  F("Reason_B3", W, Reason_B3),
  F("Reject", W, Reject),
  F("Useruserdata", ST, Useruserdata),
  F("SendingComplete", ST, SendingComplete),
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static int unhex(const char *s, unsigned char *out, size_t max) {
  size_t n = strlen(s);
  if (n % 2 || n / 2 > max) return -1;
  for (size_t i = 0; i < n / 2; i++) {
    unsigned v;
    if (sscanf(s + 2 * i, "%2x", &v) != 1) return -1;
    out[i] = (unsigned char)v;
  }
  return (int)(n / 2);
}

static void puthex(const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i++) printf("%02x", p[i]);
}

static size_t structlen(const unsigned char *s, const unsigned char **content) {
  if (s[0] != 0xff) { *content = s + 1; return s[0]; }
  *content = s + 3;
  return (size_t)s[1] | ((size_t)s[2] << 8);
}

static void print_fields(_cmsg *c) {
  for (size_t i = 0; i < NFIELDS; i++) {
    unsigned char *p = (unsigned char *)c + fields[i].off;
    switch (fields[i].k) {
      case DW: { uint32_t v; memcpy(&v, p, 4); if (v) printf(" %s=%x", fields[i].name, v); break; }
      case W: { uint16_t v; memcpy(&v, p, 2); if (v) printf(" %s=%x", fields[i].name, v); break; }
      case QW: { uint64_t v; memcpy(&v, p, 8); if (v) printf(" %s=%llx", fields[i].name, (unsigned long long)v); break; }
      case CM: { _cmstruct v; memcpy(&v, p, sizeof v); if (v == CAPI_DEFAULT) printf(" %s=default", fields[i].name); break; }
      case ST: {
        unsigned char *s; memcpy(&s, p, sizeof s);
        if (!s) break;
        const unsigned char *content; size_t n = structlen(s, &content);
        if (n) { printf(" %s=", fields[i].name); puthex(content, n); }
        break;
      }
    }
  }
}

static unsigned char msgbuf[70000];
static unsigned char outbuf[70000];
static unsigned char structs[64][70000 + 3];

int main(void) {
  static char line[300000];
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\r\n")] = 0;
    _cmsg c;
    if (line[0] == 'D' && line[1] == ' ') {
      int n = unhex(line + 2, msgbuf, sizeof msgbuf);
      if (n < 8 || !capi_cmd2str(msgbuf[4], msgbuf[5])) { puts("unsupported"); fflush(stdout); continue; }
      capi_message2cmsg(&c, msgbuf);
      unsigned char cmd = c.Command, sub = c.Subcommand;
      _cmsg copy = c;
      memset(outbuf, 0, sizeof outbuf);
      copy.Command = cmd; copy.Subcommand = sub;
      capi_cmsg2message(&copy, outbuf);
      puthex(outbuf, outbuf[0] | (outbuf[1] << 8));
      print_fields(&c);
      putchar('\n');
    } else if (line[0] == 'T' && line[1] == ' ') {
      long iters = 0; int used = 0;
      if (sscanf(line + 2, "%ld %n", &iters, &used) != 1 || iters <= 0) { puts("bad"); continue; }
      int n = unhex(line + 2 + used, msgbuf, sizeof msgbuf);
      if (n < 8) { puts("bad"); continue; }
      struct timespec t0, t1, t2;
      volatile unsigned sink = 0;
      clock_gettime(CLOCK_MONOTONIC, &t0);
      for (long i = 0; i < iters; i++) { capi_message2cmsg(&c, msgbuf); sink += c.l; }
      clock_gettime(CLOCK_MONOTONIC, &t1);
      for (long i = 0; i < iters; i++) { capi_cmsg2message(&c, outbuf); sink += outbuf[0]; }
      clock_gettime(CLOCK_MONOTONIC, &t2);
      double d1 = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
      double d2 = (t2.tv_sec - t1.tv_sec) * 1e9 + (t2.tv_nsec - t1.tv_nsec);
      printf("%.1f %.1f\n", d1 / iters, d2 / iters);
      (void)sink;
    } else if (line[0] == 'E' && line[1] == ' ') {
      unsigned cmd, sub, appl, num; int used = 0;
      if (sscanf(line + 2, "%x %x %x %x%n", &cmd, &sub, &appl, &num, &used) != 4) { puts("bad"); continue; }
      if (!capi_cmd2str((unsigned char)cmd, (unsigned char)sub)) { puts("unsupported"); fflush(stdout); continue; }
      capi_cmsg_header(&c, appl, (unsigned char)cmd, (unsigned char)sub, (unsigned short)num, 0);
      int ns = 0;
      char *tok = strtok(line + 2 + used, " ");
      for (; tok; tok = strtok(NULL, " ")) {
        char *eq = strchr(tok, '='); if (!eq) continue; *eq = 0; const char *val = eq + 1;
        for (size_t i = 0; i < NFIELDS; i++) {
          if (strcmp(fields[i].name, tok)) continue;
          unsigned char *p = (unsigned char *)&c + fields[i].off;
          switch (fields[i].k) {
            case DW: { uint32_t v = (uint32_t)strtoul(val, 0, 16); memcpy(p, &v, 4); break; }
            case W: { uint16_t v = (uint16_t)strtoul(val, 0, 16); memcpy(p, &v, 2); break; }
            case QW: {
              uint64_t v = strtoull(val, 0, 16);
              if (!strcmp(tok, "Data64")) c.Data = (unsigned char *)(uintptr_t)v; else memcpy(p, &v, 8);
              break;
            }
            case CM: { _cmstruct v = strcmp(val, "default") ? CAPI_COMPOSE : CAPI_DEFAULT; memcpy(p, &v, sizeof v); break; }
            case ST: {
              unsigned char *s = structs[ns++];
              int len = strcmp(val, "-") ? unhex(val, (strlen(val) / 2 >= 255) ? s + 3 : s + 1, 70000) : 0;
              if (len < 0) len = 0;
              if (len >= 255) { s[0] = 0xff; s[1] = len & 0xff; s[2] = len >> 8; } else s[0] = (unsigned char)len;
              memcpy(p, &s, sizeof s);
              break;
            }
          }
        }
      }
      memset(outbuf, 0, sizeof outbuf);
      capi_cmsg2message(&c, outbuf);
      puthex(outbuf, outbuf[0] | (outbuf[1] << 8));
      putchar('\n');
    }
    fflush(stdout);
  }
  return 0;
}
