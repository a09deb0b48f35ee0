/*
 * The native spawn helper: the platform's local commands are started here with posix_spawn, which glibc and musl
 * implement with a vfork-style clone. The helper is not copied (no page tables to duplicate, no copy-on-write faults
 * afterwards), so a spawn costs about half of what Node's fork + exec costs from even a small Node process.
 *
 * Same contract as the Node helper (src/adapters/devices/local-run.ts): no shell; the program looked up on the
 * search path the platform sends, never on the helper's own; a fixed environment (PATH, LANG, LC_ALL); cwd "/";
 * stdin from /dev/null; a process group of its own (so a timeout or a cancel kills the whole group) in the
 * helper's session, which the helper leads and which has no terminal: a command the helper had not yet told the
 * platform of when it died can still be found, and the platform kills the session (killSession in local-run.ts);
 * every signal back to its default and none blocked; each output stream kept up to a cap and drained past it;
 * after the program exits, leftovers of its group may hold the pipes for DRAIN_GRACE_MS, then they are killed.
 *
 * Protocol on stdin (requests) and stdout (replies). A frame is a little-endian u32 payload length, then the payload,
 * whose first byte is its type.
 *   request 1 run:     u32 id, u32 timeout_ms, u32 output_cap, u32 argc, then argc + 1 NUL-terminated strings:
 *                      the search path, then argv[0] .. argv[argc - 1]
 *   request 2 cancel:  u32 id                (SIGKILL to the command's process group)
 *   reply 1 started:   u32 id, i32 pid
 *   reply 2 done:      u32 id, i32 exit code (-1: none), i32 signal (0: none), u8 flags (1 timed out, 2 truncated),
 *                      f64 duration in ms, u32 length + stdout bytes, u32 length + stderr bytes
 *   reply 3 failed:    u32 id, i32 errno     (the program could not be started: not found, not executable...)
 * A malformed request ends the helper (exit 2): the platform sent it, so the platform is wrong, and it sees the exit.
 * When stdin closes (the platform exited or was killed), every running command's group is killed and the helper
 * exits: nothing it started outlives it unsupervised.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DRAIN_GRACE_MS 500
#define MAX_REQUEST (4u << 20)
#define MAX_ARGC 4096u
#define MAX_RUNNING 4096u

struct capture {
  int fd; /* -1 once closed */
  char *data;
  uint32_t length, room;
};

struct job {
  uint32_t id;
  pid_t pid;
  struct capture out, err;
  uint32_t cap;
  int truncated, timed_out, exited, status;
  double started, deadline, drain_deadline; /* ms on the monotonic clock; drain_deadline 0 until the exit */
};

static struct job **jobs;
static size_t job_count, job_room;
static int sigchld_pipe[2];
static char *input;
static size_t input_length, input_room;

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1000.0 + (double)t.tv_nsec / 1e6;
}

static void *must(void *p) {
  if (!p) {
    fputs("twisterlab spawn helper: out of memory\n", stderr);
    exit(1);
  }
  return p;
}

static void kill_group(pid_t pid) {
  if (pid > 0) kill(-pid, SIGKILL);
}

static void kill_all_and_exit(int code) {
  for (size_t i = 0; i < job_count; i++)
    if (!jobs[i]->exited || jobs[i]->out.fd >= 0 || jobs[i]->err.fd >= 0) kill_group(jobs[i]->pid);
  exit(code);
}

/* ---- replies ---------------------------------------------------------------------------------------------- */

static void write_all(const void *data, size_t length) {
  const char *p = data;
  while (length > 0) {
    ssize_t n = write(STDOUT_FILENO, p, length);
    if (n < 0) {
      if (errno == EINTR) continue;
      kill_all_and_exit(0); /* the platform is gone */
    }
    p += n;
    length -= (size_t)n;
  }
}

struct frame {
  char *data;
  size_t length, room;
};

static void put(struct frame *f, const void *data, size_t length) {
  if (length == 0) return; /* an empty capture has no buffer at all */
  if (f->length + length > f->room) {
    while (f->length + length > f->room) f->room = f->room ? f->room * 2 : 64;
    f->data = must(realloc(f->data, f->room));
  }
  memcpy(f->data + f->length, data, length);
  f->length += length;
}

static void le32(unsigned char *b, uint32_t v) {
  for (int i = 0; i < 4; i++) b[i] = (unsigned char)(v >> (8 * i));
}

static void put_u32(struct frame *f, uint32_t v) {
  unsigned char b[4];
  le32(b, v);
  put(f, b, 4);
}

static void send_frame(struct frame *f) {
  le32((unsigned char *)f->data, (uint32_t)(f->length - 4));
  write_all(f->data, f->length);
  free(f->data);
}

static struct frame begin(uint8_t type, uint32_t id) {
  struct frame f = {0};
  put_u32(&f, 0); /* the length, filled in by send_frame */
  put(&f, &type, 1);
  put_u32(&f, id);
  return f;
}

static void reply_started(uint32_t id, pid_t pid) {
  struct frame f = begin(1, id);
  put_u32(&f, (uint32_t)pid);
  send_frame(&f);
}

static void reply_failed(uint32_t id, int error) {
  struct frame f = begin(3, id);
  put_u32(&f, (uint32_t)error);
  send_frame(&f);
}

static void reply_done(struct job *j) {
  struct frame f = begin(2, j->id);
  int code = -1, sig = 0;
  if (WIFEXITED(j->status)) code = WEXITSTATUS(j->status);
  else if (WIFSIGNALED(j->status)) sig = WTERMSIG(j->status);
  put_u32(&f, (uint32_t)code);
  put_u32(&f, (uint32_t)sig);
  uint8_t flags = (uint8_t)((j->timed_out ? 1 : 0) | (j->truncated ? 2 : 0));
  put(&f, &flags, 1);
  double duration = now_ms() - j->started;
  put(&f, &duration, sizeof duration); /* x86-64 and arm64 are little-endian, like the rest of the frame */
  put_u32(&f, j->out.length);
  put(&f, j->out.data, j->out.length);
  put_u32(&f, j->err.length);
  put(&f, j->err.data, j->err.length);
  send_frame(&f);
}

/* ---- commands ------------------------------------------------------------------------------------------------ */

static void close_capture(struct capture *c) {
  if (c->fd >= 0) close(c->fd);
  c->fd = -1;
}

static void finish(size_t index) {
  struct job *j = jobs[index];
  close_capture(&j->out);
  close_capture(&j->err);
  reply_done(j);
  free(j->out.data);
  free(j->err.data);
  free(j);
  jobs[index] = jobs[--job_count];
}

/* Reads what the pipe holds: kept up to the cap, the rest dropped so the command never blocks on a full pipe. */
static void drain(struct job *j, struct capture *c) {
  char chunk[65536];
  for (;;) {
    ssize_t n = read(c->fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) {
      close_capture(c);
      return;
    }
    uint32_t keep = (uint32_t)n;
    if (c->length + (uint64_t)keep > j->cap) {
      keep = j->cap - c->length;
      j->truncated = 1;
    }
    if (keep > 0) {
      if (c->length + keep > c->room) {
        uint32_t room = c->room ? c->room : 4096;
        while (room < c->length + keep) room = room > j->cap / 2 ? j->cap : room * 2;
        c->data = must(realloc(c->data, room));
        c->room = room;
      }
      memcpy(c->data + c->length, chunk, keep);
      c->length += keep;
    }
  }
}

/* The program's path: argv[0] as given when it names a path, else the first executable file on the search path. */
static int resolve(const char *program, const char *search_path, char **resolved) {
  if (strchr(program, '/')) {
    *resolved = must(strdup(program));
    return 0;
  }
  int error = ENOENT;
  const char *p = search_path;
  while (*p) {
    const char *end = strchr(p, ':');
    size_t length = end ? (size_t)(end - p) : strlen(p);
    if (length > 0 && p[0] == '/') {
      char *candidate = must(malloc(length + 1 + strlen(program) + 1));
      memcpy(candidate, p, length);
      candidate[length] = '/';
      strcpy(candidate + length + 1, program);
      struct stat st;
      if (stat(candidate, &st) == 0 && S_ISREG(st.st_mode)) {
        if (access(candidate, X_OK) == 0) {
          *resolved = candidate;
          return 0;
        }
        error = EACCES;
      }
      free(candidate);
    }
    if (!end) break;
    p = end + 1;
  }
  return error;
}

static int start(uint32_t id, uint32_t timeout_ms, uint32_t cap, const char *search_path, char **argv) {
  char *path = NULL;
  int error = resolve(argv[0], search_path, &path);
  if (error) return error;

  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    free(path);
    return errno;
  }
  if (pipe2(err, O_CLOEXEC) != 0) {
    error = errno;
    close(out[0]);
    close(out[1]);
    free(path);
    return error;
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
  posix_spawn_file_actions_addchdir_np(&actions, "/");

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  size_t path_length = strlen(search_path);
  char *path_var = must(malloc(path_length + 6));
  memcpy(path_var, "PATH=", 5);
  memcpy(path_var + 5, search_path, path_length + 1);
  char *env[] = {path_var, "LANG=C.UTF-8", "LC_ALL=C.UTF-8", NULL};

  double started = now_ms();
  pid_t pid;
  error = posix_spawn(&pid, path, &actions, &attr, argv, env);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  free(path_var);
  free(path);
  close(out[1]);
  close(err[1]);
  if (error) {
    close(out[0]);
    close(err[0]);
    return error;
  }
  fcntl(out[0], F_SETFL, O_NONBLOCK);
  fcntl(err[0], F_SETFL, O_NONBLOCK);

  struct job *j = must(calloc(1, sizeof *j));
  j->id = id;
  j->pid = pid;
  j->out.fd = out[0];
  j->err.fd = err[0];
  j->cap = cap;
  j->started = started;
  j->deadline = started + timeout_ms;
  if (job_count == job_room) {
    job_room = job_room ? job_room * 2 : 16;
    jobs = must(realloc(jobs, job_room * sizeof *jobs));
  }
  jobs[job_count++] = j;
  reply_started(id, pid);
  return 0;
}

/* ---- requests -------------------------------------------------------------------------------------------------- */

static uint32_t get_u32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void malformed(const char *why) {
  fprintf(stderr, "twisterlab spawn helper: malformed request (%s)\n", why);
  kill_all_and_exit(2);
}

static void handle(unsigned char *payload, uint32_t length) {
  if (length < 5) malformed("too short");
  uint8_t type = payload[0];
  uint32_t id = get_u32(payload + 1);
  if (type == 2) {
    for (size_t i = 0; i < job_count; i++)
      if (jobs[i]->id == id && !jobs[i]->exited) kill_group(jobs[i]->pid);
    return;
  }
  if (type != 1) malformed("unknown type");
  if (length < 17) malformed("run too short");
  uint32_t timeout_ms = get_u32(payload + 5), cap = get_u32(payload + 9), argc = get_u32(payload + 13);
  if (argc == 0 || argc > MAX_ARGC) malformed("argc");
  if (payload[length - 1] != '\0') malformed("unterminated string");
  char **argv = must(calloc(argc + 1, sizeof *argv));
  char *p = (char *)payload + 17, *end = (char *)payload + length;
  char *search_path = p;
  p += strlen(p) + 1;
  for (uint32_t i = 0; i < argc; i++) {
    if (p >= end) malformed("fewer strings than argc");
    argv[i] = p;
    p += strlen(p) + 1;
  }
  if (p != end) malformed("more strings than argc");
  if (argv[0][0] == '\0') malformed("empty program");
  int error = job_count >= MAX_RUNNING ? EAGAIN : start(id, timeout_ms, cap, search_path, argv);
  if (error) reply_failed(id, error);
  free(argv);
}

static void read_requests(void) {
  if (input_room - input_length < 65536) {
    input_room = input_room ? input_room * 2 : 131072;
    input = must(realloc(input, input_room));
  }
  ssize_t n = read(STDIN_FILENO, input + input_length, input_room - input_length);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) kill_all_and_exit(0); /* the platform closed the channel */
  input_length += (size_t)n;
  size_t at = 0;
  while (input_length - at >= 4) {
    uint32_t length = get_u32((unsigned char *)input + at);
    if (length > MAX_REQUEST) malformed("frame too long");
    if (input_length - at - 4 < length) {
      if (input_room < length + 4) {
        input_room = length + 4;
        input = must(realloc(input, input_room));
      }
      break;
    }
    handle((unsigned char *)input + at + 4, length);
    at += 4 + length;
  }
  memmove(input, input + at, input_length - at);
  input_length -= at;
}

/* ---- the loop ------------------------------------------------------------------------------------------------- */

static void on_sigchld(int sig) {
  (void)sig;
  int saved = errno;
  ssize_t ignored = write(sigchld_pipe[1], "c", 1);
  (void)ignored;
  errno = saved;
}

static void reap(void) {
  char buffer[64];
  while (read(sigchld_pipe[0], buffer, sizeof buffer) > 0) {
  }
  for (;;) {
    int status;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    for (size_t i = 0; i < job_count; i++) {
      struct job *j = jobs[i];
      if (j->pid != pid) continue;
      j->exited = 1;
      j->status = status;
      j->drain_deadline = now_ms() + DRAIN_GRACE_MS;
      break;
    }
  }
}

int main(void) {
  /* A session of its own, without a terminal: everything it starts is in it, and the platform sweeps it after it. */
  if (setsid() < 0) {
    fprintf(stderr, "twisterlab-spawn-helper: cannot start a session of its own (%s)\n", strerror(errno));
    return 1;
  }
  signal(SIGPIPE, SIG_IGN);
  if (pipe2(sigchld_pipe, O_CLOEXEC | O_NONBLOCK) != 0) return 1;
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_sigchld;
  action.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  sigaction(SIGCHLD, &action, NULL);

  struct pollfd *fds = NULL;
  size_t fds_room = 0;
  for (;;) {
    /* Finished commands: exited with both pipes closed, or past the grace a leftover process may hold them. */
    double now = now_ms();
    for (size_t i = 0; i < job_count;) {
      struct job *j = jobs[i];
      if (!j->exited && !j->timed_out && now >= j->deadline) {
        j->timed_out = 1;
        kill_group(j->pid);
      }
      if (j->exited && (j->out.fd >= 0 || j->err.fd >= 0) && now >= j->drain_deadline) {
        kill_group(j->pid);
        close_capture(&j->out);
        close_capture(&j->err);
      }
      if (j->exited && j->out.fd < 0 && j->err.fd < 0) finish(i);
      else i++;
    }

    size_t needed = 2 + 2 * job_count;
    if (needed > fds_room) {
      fds_room = needed * 2;
      fds = must(realloc(fds, fds_room * sizeof *fds));
    }
    size_t count = 0;
    fds[count++] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
    fds[count++] = (struct pollfd){.fd = sigchld_pipe[0], .events = POLLIN};
    double wake = -1;
    for (size_t i = 0; i < job_count; i++) {
      struct job *j = jobs[i];
      if (j->out.fd >= 0) fds[count++] = (struct pollfd){.fd = j->out.fd, .events = POLLIN};
      if (j->err.fd >= 0) fds[count++] = (struct pollfd){.fd = j->err.fd, .events = POLLIN};
      double at = j->exited ? j->drain_deadline : j->timed_out ? -1 : j->deadline;
      if (at >= 0 && (wake < 0 || at < wake)) wake = at;
    }
    int timeout = -1;
    if (wake >= 0) {
      double wait = wake - now_ms();
      timeout = wait <= 0 ? 0 : wait > 60000 ? 60000 : (int)wait + 1;
    }
    int ready = poll(fds, count, timeout);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (fds[1].revents) reap();
    for (size_t k = 2; k < count; k++) {
      if (!fds[k].revents) continue;
      for (size_t i = 0; i < job_count; i++) {
        struct job *j = jobs[i];
        if (j->out.fd == fds[k].fd) drain(j, &j->out);
        else if (j->err.fd == fds[k].fd) drain(j, &j->err);
        else continue;
        break;
      }
    }
    if (fds[0].revents) read_requests();
  }
}
