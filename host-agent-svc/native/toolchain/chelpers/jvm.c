/* Stand-in for SubstrateVM's libjvm.a: the JVM_* entry points the JDK's static libraries call. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <dlfcn.h>
#include <errno.h>
#include <jni.h>

void initialize(void) {}
int JVM_ActiveProcessorCount(void) { return (int)sysconf(_SC_NPROCESSORS_ONLN); }
void *JVM_RegisterSignal(int sig, void *handler) {
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sigfillset(&sa.sa_mask);
  sa.sa_handler = (void (*)(int))handler;
  sa.sa_flags = SA_RESTART;
  if (sigaction(sig, &sa, &old) != 0) return (void *)-1;
  return (void *)old.sa_handler;
}
jlong JVM_CurrentTimeMillis(void *a, void *b) { struct timeval tv; gettimeofday(&tv, NULL); return (jlong)tv.tv_sec * 1000 + tv.tv_usec / 1000; }
jlong JVM_NanoTime(void *a, void *b) { struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts); return (jlong)ts.tv_sec * 1000000000LL + ts.tv_nsec; }
jint JVM_GetInterfaceVersion(void) { return 6; }
void JVM_Halt(jint code) { _exit(code); }
void JVM_BeforeHalt(void) {}
void JVM_GC(void) {}
jboolean JVM_RaiseSignal(jint sig) { return raise(sig) == 0; }
jint JVM_FindSignal(const char *name) {
  static const struct { const char *n; int s; } t[] = {{"HUP",SIGHUP},{"INT",SIGINT},{"QUIT",SIGQUIT},{"TERM",SIGTERM},{"USR1",SIGUSR1},{"USR2",SIGUSR2},{"ALRM",SIGALRM},{"CHLD",SIGCHLD},{"PIPE",SIGPIPE},{"TRAP",SIGTRAP},{"ABRT",SIGABRT},{0,0}};
  for (int i = 0; t[i].n; i++) if (!strcmp(name, t[i].n)) return t[i].s;
  return -1;
}
void *JVM_FindLibraryEntry(void *h, const char *name) { return dlsym(h ? h : RTLD_DEFAULT, name); }
void *JVM_LoadLibrary(const char *name, jboolean throwException) { return dlopen(name, RTLD_LAZY); }
void JVM_UnloadLibrary(void *h) { dlclose(h); }
jint JVM_GetLastErrorString(char *buf, int len) { if (errno == 0) return 0; const char *s = strerror(errno); size_t n = strlen(s); if (n >= (size_t)len) n = len - 1; memcpy(buf, s, n); buf[n] = 0; return (jint)n; }
jboolean JVM_IsSupportedJNIVersion(jint v) { return v == JNI_VERSION_1_1 || v == JNI_VERSION_1_2 || v == JNI_VERSION_1_4 || v == JNI_VERSION_1_6 || v == JNI_VERSION_1_8 || v == JNI_VERSION_9 || v == JNI_VERSION_10 || v == JNI_VERSION_19 || v == JNI_VERSION_20 || v == JNI_VERSION_21 || v == 0x00180000 || v == 0x00190000; }

/* ---------- used by libzip / libjava ---------- */
#include <pthread.h>
#include <stdarg.h>
char *JVM_NativePath(char *path) { return path; }
void *JVM_RawMonitorCreate(void) {
  pthread_mutex_t *m = malloc(sizeof *m);
  pthread_mutexattr_t a; pthread_mutexattr_init(&a); pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
  pthread_mutex_init(m, &a); pthread_mutexattr_destroy(&a); return m;
}
void JVM_RawMonitorDestroy(void *m) { pthread_mutex_destroy(m); free(m); }
jint JVM_RawMonitorEnter(void *m) { return pthread_mutex_lock(m); }
void JVM_RawMonitorExit(void *m) { pthread_mutex_unlock(m); }
int jio_vsnprintf(char *s, size_t n, const char *f, va_list a) { return vsnprintf(s, n, f, a); }
int jio_snprintf(char *s, size_t n, const char *f, ...) { va_list a; va_start(a, f); int r = vsnprintf(s, n, f, a); va_end(a); return r; }
int jio_fprintf(FILE *fp, const char *f, ...) { va_list a; va_start(a, f); int r = vfprintf(fp, f, a); va_end(a); return r; }
int jio_vfprintf(FILE *fp, const char *f, va_list a) { return vfprintf(fp, f, a); }

/* ---------- used by libmanagement / libmanagement_ext: no JMM interface in this stand-in ---------- */
void *JVM_GetManagement(jint version) { (void)version; return NULL; }
