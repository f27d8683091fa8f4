/* Stand-in for SubstrateVM's libchelper.a, written from the Java @CFunction declarations of svm
 * 25.0.4 (not SubstrateVM's C sources, which Maven Central does not serve). linux-amd64 only. */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "include/amd64cpufeatures.h"
#include "include/svm_locale.h"

extern char **environ;

/* ---------- CPU features ---------- */
static unsigned long long xgetbv0(void) { unsigned int a, d; __asm__ volatile("xgetbv" : "=a"(a), "=d"(d) : "c"(0)); return ((unsigned long long)d << 32) | a; }

void determineCPUFeatures(CPUFeatures *f) {
  unsigned int a = 0, b = 0, c = 0, d = 0, max = 0;
  memset(f, 0, sizeof(*f));
  __get_cpuid(0, &max, &b, &c, &d);
  __get_cpuid(1, &a, &b, &c, &d);
  f->fCX8 = (d >> 8) & 1; f->fCMOV = (d >> 15) & 1; f->fFXSR = (d >> 24) & 1; f->fHT = (d >> 28) & 1;
  f->fMMX = (d >> 23) & 1; f->fSSE = (d >> 25) & 1; f->fSSE2 = (d >> 26) & 1; f->fTSC = (d >> 4) & 1;
  f->fSSE3 = c & 1; f->fCLMUL = (c >> 1) & 1; f->fSSSE3 = (c >> 9) & 1; f->fFMA = (c >> 12) & 1;
  f->fSSE4_1 = (c >> 19) & 1; f->fSSE4_2 = (c >> 20) & 1; f->fPOPCNT = (c >> 23) & 1; f->fAES = (c >> 25) & 1;
  f->fF16C = (c >> 29) & 1; f->fHV = (c >> 31) & 1; f->fFLUSH = (d >> 19) & 1;
  int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
  unsigned long long xcr0 = osxsave ? xgetbv0() : 0;
  int ymm_ok = (xcr0 & 6) == 6, zmm_ok = (xcr0 & 0xe6) == 0xe6;
  f->fAVX = avx && ymm_ok; f->fVZEROUPPER = f->fAVX;
  if (!f->fAVX) { f->fFMA = 0; f->fF16C = 0; }
  if (max >= 7) {
    __cpuid_count(7, 0, a, b, c, d);
    f->fBMI1 = (b >> 3) & 1; f->fAVX2 = ((b >> 5) & 1) && f->fAVX; f->fBMI2 = (b >> 8) & 1; f->fERMS = (b >> 9) & 1;
    f->fRTM = (b >> 11) & 1; f->fADX = (b >> 19) & 1; f->fSHA = (b >> 29) & 1; f->fFLUSHOPT = (b >> 23) & 1; f->fCLWB = (b >> 24) & 1;
    if (zmm_ok) {
      f->fAVX512F = (b >> 16) & 1; f->fAVX512DQ = (b >> 17) & 1; f->fAVX512_IFMA = (b >> 21) & 1; f->fAVX512PF = (b >> 26) & 1;
      f->fAVX512ER = (b >> 27) & 1; f->fAVX512CD = (b >> 28) & 1; f->fAVX512BW = (b >> 30) & 1; f->fAVX512VL = (b >> 31) & 1;
      f->fAVX512_VBMI = (c >> 1) & 1; f->fAVX512_VBMI2 = (c >> 6) & 1; f->fAVX512_VAES = (c >> 9) & 1; f->fAVX512_VPCLMULQDQ = (c >> 10) & 1;
      f->fAVX512_VNNI = (c >> 11) & 1; f->fAVX512_BITALG = (c >> 12) & 1; f->fAVX512_VPOPCNTDQ = (c >> 14) & 1;
    }
    f->fGFNI = (c >> 8) & 1; f->fPKU = (c >> 3) & 1; f->fOSPKE = (c >> 4) & 1; f->fRDPID = (c >> 22) & 1;
    f->fFSRM = (d >> 4) & 1; f->fSERIALIZE = (d >> 14) & 1;
  }
  unsigned int emax = __get_cpuid_max(0x80000000, 0);
  if (emax >= 0x80000001) { __get_cpuid(0x80000001, &a, &b, &c, &d); f->fLZCNT = (c >> 5) & 1; f->fSSE4A = (c >> 6) & 1; f->fAMD_3DNOW_PREFETCH = (c >> 8) & 1; f->fRDTSCP = (d >> 27) & 1; }
  if (emax >= 0x80000007) { __get_cpuid(0x80000007, &a, &b, &c, &d); f->fTSCINV_BIT = (d >> 8) & 1; f->fTSCINV = f->fTSCINV_BIT; }
}

/* Mask holds the bitwise-negated build-time feature struct, padded with 0xFF to 64 bits. */
int checkCPUFeatures(const unsigned char *mask) {
  size_t n = (sizeof(CPUFeatures) + 7) & ~(size_t)7;
  unsigned char buf[sizeof(CPUFeatures) + 8];
  memset(buf, 0, sizeof(buf));
  determineCPUFeatures((CPUFeatures *)buf);
  for (size_t i = 0; i < n; i++) if ((unsigned char)(buf[i] | mask[i]) != 0xFF) return 1;
  return 0;
}
int checkCPUFeaturesOrExit(const unsigned char *mask, const char *msg) {
  if (checkCPUFeatures(mask) != 0) { fputs(msg, stderr); exit(1); }
  return 0;
}

void codeSynchronization_clearCache(long start, long size) { (void)start; (void)size; }
char **getEnviron(void) { return environ; }

/* ---------- time zone (simplified: $TZ, else /etc/timezone, else /etc/localtime link) ---------- */
char *SVM_FindJavaTZmd(const char *mappings, int len) {
  (void)mappings; (void)len;
  const char *tz = getenv("TZ");
  if (tz && *tz) { if (*tz == ':') tz++; return strdup(tz); }
  char buf[PATH_MAX];
  FILE *fp = fopen("/etc/timezone", "r");
  if (fp) { if (fgets(buf, sizeof buf, fp)) { buf[strcspn(buf, " \t\n")] = 0; fclose(fp); if (*buf) return strdup(buf); } else fclose(fp); }
  ssize_t n = readlink("/etc/localtime", buf, sizeof(buf) - 1);
  if (n > 0) { buf[n] = 0; char *p = strstr(buf, "zoneinfo/"); if (p) return strdup(p + 9); }
  return strdup("UTC");
}

/* ---------- linux helpers ---------- */
int getThreadId(void) { return (int)syscall(SYS_gettid); }
long getThreadUserTimeSlow(int tid) {
  char path[64], buf[2048]; snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
  FILE *fp = fopen(path, "r"); if (!fp) return -1;
  size_t n = fread(buf, 1, sizeof(buf) - 1, fp); fclose(fp); buf[n] = 0;
  char *s = strrchr(buf, ')'); if (!s) return -1;
  unsigned long ut = 0; int field = 2; char *tok = strtok(s + 2, " ");
  while (tok) { field++; if (field == 14) { ut = strtoul(tok, NULL, 10); break; } tok = strtok(NULL, " "); }
  return (long)(ut * (1000000000L / sysconf(_SC_CLK_TCK)));
}
void *mremapP(void *old, size_t oldSize, size_t newSize, int flags, void *newAddr) { return mremap(old, oldSize, newSize, flags, newAddr); }

/* ---------- attach API: not supported in this stand-in ---------- */
void svm_attach_startup(const char *p) { (void)p; }
void svm_attach_listener_cleanup(int s, const char *p) { (void)s; (void)p; }
int svm_attach_check_socket_file(const char *p) { (void)p; return 0; }
int svm_attach_is_init_trigger(const char *p) { (void)p; return 0; }
int svm_attach_create_listener(const char *p) { (void)p; return -1; }
int svm_attach_wait_for_request(int s) { (void)s; return -1; }
void svm_attach_shutdown_socket(int s) { (void)s; }

/* ---------- sun.misc.Signal support ---------- */
static sem_t sig_sem; static volatile int sig_open = 0; static volatile sig_atomic_t pending[NSIG];
int cSunMiscSignal_open(void) { if (!sig_open) { if (sem_init(&sig_sem, 0, 0) != 0) return -1; sig_open = 1; } return 0; }
int cSunMiscSignal_close(void) { if (sig_open) { sig_open = 0; return sem_destroy(&sig_sem); } return 0; }
int cSunMiscSignal_awaitSemaphore(void) { int r; do { r = sem_wait(&sig_sem); } while (r != 0 && errno == EINTR); return r; }
int cSunMiscSignal_signalSemaphore(void) { return sem_post(&sig_sem); }
int cSunMiscSignal_signalRangeCheck(int s) { return s > 0 && s < NSIG; }
int cSunMiscSignal_checkPendingSignal(void) {
  for (int i = 1; i < NSIG; i++) if (pending[i]) { pending[i] = 0; return i; }
  return -1;
}
static void sig_dispatch(int s) { if (s > 0 && s < NSIG) { pending[s] = 1; if (sig_open) sem_post(&sig_sem); } }
void *cSunMiscSignal_signalHandlerFunctionPointer(void) { return (void *)sig_dispatch; }

/* ---------- locale ---------- */
static svm_locale_props_t props;
static void split_locale(const char *loc, char **lang, char **country, char **variant) {
  *lang = strdup("en"); *country = NULL; *variant = NULL;
  if (!loc || !*loc || !strcmp(loc, "POSIX") || (loc[0] == 'C' && (loc[1] == 0 || loc[1] == '.'))) return;
  char *l = strdup(loc); char *at = strchr(l, '@'); if (at) { *at = 0; *variant = strdup(at + 1); }
  char *dot = strchr(l, '.'); if (dot) *dot = 0;
  char *us = strchr(l, '_'); if (us) { *us = 0; *country = strdup(us + 1); }
  free(*lang); *lang = l;
}
int svm_initialize_locale(void) {
  setlocale(LC_ALL, "");
  const char *m = setlocale(LC_MESSAGES, NULL), *c = setlocale(LC_CTYPE, NULL);
  split_locale(m, &props.display_language, &props.display_country, &props.display_variant);
  split_locale(c, &props.format_language, &props.format_country, &props.format_variant);
  props.display_script = NULL; props.format_script = NULL;
  setlocale(LC_ALL, "C");
  return SVM_LOCALE_INITIALIZATION_SUCCEEDED;
}
svm_locale_props_t *svm_get_locale(void) { return &props; }

/* ---------- fixed-arity wrappers for varargs libc functions ---------- */
#include <fcntl.h>
int openSII(const char *path, int flags, int mode) { return open(path, flags, mode); }
int openatISII(int dirfd, const char *path, int flags, int mode) { return openat(dirfd, path, flags, mode); }
int fprintfSD(FILE *stream, const char *format, const char *arg0, int arg1) { return fprintf(stream, format, arg0, arg1); }
