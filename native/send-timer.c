/*
 * The load workers' send timer on Linux: a timerfd polled by the calling thread's own libuv loop.
 *
 * Why: Node's timers have millisecond resolution (a send woke 0-1 ms late, median ~0.6 ms), and the
 * clock thread that fixed that (src/load/worker/thread-clock.ts) wakes the sender from another
 * thread; on a 2-vCPU VM that hand-off made the raw round trip 1.6x and its p99 2.5x worse (issue 20,
 * bench/send-lag.ts). A timerfd expires in the kernel with nanosecond resolution and wakes the
 * thread's own epoll, exactly like libuv's millisecond timers: no second thread, no hand-off.
 *
 * API (one timer per worker): create(callback) -> handle; arm(handle, delayNs) replaces any pending
 * expiry with one delayNs from now; close(handle). A pending expiry keeps the loop alive, like a
 * timer; an idle one does not. The thread's environment teardown closes a timer left open.
 *
 * Closing is asynchronous (uv_close calls on_closed on a later loop turn), and a worker thread's
 * teardown unloads this library once its cleanup hooks have run: with a plain cleanup hook,
 * on_closed could run after the unload and jump into unmapped code (a SIGSEGV seen in about 1 of 20
 * saturated runs whose workers were terminated). An async cleanup hook makes the teardown wait
 * until on_closed has run and says so (napi_remove_async_cleanup_hook).
 *
 * Failures never crash the thread: a failing call in create/arm/close throws a JS error (code
 * WSB_ERR_SEND_TIMER), and an exception thrown by the callback goes to the thread's uncaught
 * exception handling (napi_fatal_exception) at once, instead of staying pending until some later
 * call into N-API.
 *
 * Lifetime: the struct is shared by the JS handle (an external with a finalizer) and the uv poll
 * handle. It is freed when both are done with it: the handle collected (finalize) and the poll
 * closed (on_closed). So a handle that outlives its timer still points at live memory, marked
 * closed, and a timer whose handle is collected is closed rather than left armed.
 */
#define NAPI_VERSION 8
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <node_api.h>
#include <uv.h>

#define ERR_CODE "WSB_ERR_SEND_TIMER"

typedef struct {
  int fd;
  /* close requested: no more arming, no more callbacks */
  int closed;
  /* the JS handle has not been finalized yet */
  int handle_alive;
  /* uv_poll_init succeeded, so the poll must be uv_close'd (and on_closed frees) */
  int poll_open;
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context async;
  napi_async_cleanup_hook_handle teardown;
} send_timer;

/* Throws `what: detail` as an Error with code WSB_ERR_SEND_TIMER; returns NULL for the caller to return. */
static napi_value throw_failure(napi_env env, const char* what, const char* detail) {
  char message[256];
  bool pending = false;
  /* An exception already pending (thrown by a failing napi_* call) says more than ours would. */
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) return NULL;
  snprintf(message, sizeof message, "native send timer: %s failed (%s)", what, detail);
  napi_throw_error(env, ERR_CODE, message);
  return NULL;
}

static napi_value throw_status(napi_env env, const char* what, napi_status status) {
  const napi_extended_error_info* info = NULL;
  const char* detail = "napi status";
  (void)status;
  if (napi_get_last_error_info(env, &info) == napi_ok && info != NULL && info->error_message != NULL) detail = info->error_message;
  return throw_failure(env, what, detail);
}

/*
 * Drops what holds JS values or async state: only while the environment is alive, once. Like the
 * other teardown calls (close, uv_poll_stop, napi_remove_async_cleanup_hook, closing a handle
 * scope), their statuses are not checked: there is no caller left to tell and nothing else to undo.
 */
static void release_js(send_timer* t) {
  if (t->callback != NULL) {
    napi_delete_reference(t->env, t->callback);
    t->callback = NULL;
  }
  if (t->async != NULL) {
    napi_async_destroy(t->env, t->async);
    t->async = NULL;
  }
}

static void on_closed(uv_handle_t* handle) {
  send_timer* t = (send_timer*)handle->data;
  napi_async_cleanup_hook_handle hook = t->teardown;
  t->teardown = NULL;
  close(t->fd);
  t->fd = -1;
  t->poll_open = 0;
  /* Freed here when the handle is gone already; else by its finalizer, which may run as soon as the
     hook is removed (the environment's last reference may go with it), so t is not touched after. */
  if (!t->handle_alive) free(t);
  /* Last: once the hook is removed the environment may be torn down (and this library unloaded). */
  if (hook != NULL) napi_remove_async_cleanup_hook(hook);
}

static void shut(send_timer* t) {
  if (t->closed) return;
  t->closed = 1;
  release_js(t);
  uv_poll_stop(&t->poll);
  uv_close((uv_handle_t*)&t->poll, on_closed);
}

/* A timer still open (or still closing) when its thread's environment goes away: on_closed ends the wait. */
static void on_env_teardown(napi_async_cleanup_hook_handle handle, void* arg) {
  send_timer* t = (send_timer*)arg;
  (void)handle;
  if (t->closed) return; /* closing already: on_closed removes the hook */
  shut(t);
}

/* The JS handle was collected (or its environment is going away). */
static void on_handle_finalized(napi_env env, void* data, void* hint) {
  send_timer* t = (send_timer*)data;
  (void)env;
  (void)hint;
  t->handle_alive = 0;
  if (!t->closed) shut(t);
  else if (!t->poll_open) free(t);
}

/* An exception the callback threw: to the thread's uncaught-exception handling, never left pending. */
static void report_pending_exception(napi_env env) {
  napi_value exception;
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) != napi_ok || !pending) return;
  if (napi_get_and_clear_last_exception(env, &exception) == napi_ok) napi_fatal_exception(env, exception);
}

/* A failure with no JS caller to throw to (inside the poll callback): reported like an uncaught exception. */
static void report_failure(napi_env env, const char* what, const char* detail) {
  napi_value code, message, error;
  char text[256];
  snprintf(text, sizeof text, "native send timer: %s failed (%s)", what, detail);
  if (napi_create_string_utf8(env, ERR_CODE, NAPI_AUTO_LENGTH, &code) != napi_ok) return;
  if (napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &message) != napi_ok) return;
  if (napi_create_error(env, code, message, &error) != napi_ok) return;
  napi_fatal_exception(env, error);
}

static void on_readable(uv_poll_t* poll, int status, int events) {
  send_timer* t = (send_timer*)poll->data;
  uint64_t expirations;
  napi_env env = t->env;
  napi_handle_scope scope;
  napi_value cb, recv, result;
  napi_status s;
  (void)events;
  if (t->closed) return;
  if (status < 0) {
    /* The poll is stopped by libuv on error: the sender would never wake again. Say so. */
    if (napi_open_handle_scope(env, &scope) != napi_ok) return;
    report_failure(env, "polling the timerfd", uv_strerror(status));
    napi_close_handle_scope(env, scope);
    return;
  }
  if (read(t->fd, &expirations, sizeof expirations) < 0) {
    int e = errno;
    if (e == EAGAIN || e == EINTR) return; /* re-armed meanwhile */
    if (napi_open_handle_scope(env, &scope) != napi_ok) return;
    report_failure(env, "reading the timerfd", strerror(e));
    napi_close_handle_scope(env, scope);
    return;
  }
  uv_unref((uv_handle_t*)&t->poll);
  if ((s = napi_open_handle_scope(env, &scope)) != napi_ok) {
    report_failure(env, "opening a handle scope", "napi status");
    return;
  }
  s = napi_get_reference_value(env, t->callback, &cb);
  if (s == napi_ok) s = napi_get_global(env, &recv);
  /* make_callback: the microtasks the callback queues run before the loop goes on, as for a timer. */
  if (s == napi_ok) s = napi_make_callback(env, t->async, recv, cb, 0, NULL, &result);
  if (s != napi_ok) {
    bool pending = false;
    if (napi_is_exception_pending(env, &pending) == napi_ok && pending) report_pending_exception(env);
    else report_failure(env, "calling back", "napi status");
  }
  napi_close_handle_scope(env, scope);
}

/* The timer behind a handle, or NULL with a TypeError thrown. */
static send_timer* handle_of(napi_env env, napi_value v) {
  void* data = NULL;
  napi_valuetype type;
  if (napi_typeof(env, v, &type) != napi_ok || type != napi_external || napi_get_value_external(env, v, &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, ERR_CODE, "native send timer: not a timer handle");
    return NULL;
  }
  return (send_timer*)data;
}

static napi_value create(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], name, handle;
  napi_valuetype type;
  napi_status s;
  uv_loop_t* loop = NULL;
  int rc;
  if ((s = napi_get_cb_info(env, info, &argc, argv, NULL, NULL)) != napi_ok) return throw_status(env, "napi_get_cb_info", s);
  if (argc < 1 || napi_typeof(env, argv[0], &type) != napi_ok || type != napi_function) {
    napi_throw_type_error(env, ERR_CODE, "native send timer: create(callback) needs a function");
    return NULL;
  }
  if ((s = napi_get_uv_event_loop(env, &loop)) != napi_ok) return throw_status(env, "napi_get_uv_event_loop", s);
  send_timer* t = calloc(1, sizeof *t);
  if (t == NULL) return throw_failure(env, "calloc", strerror(ENOMEM));
  t->env = env;
  t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (t->fd < 0) {
    int e = errno;
    free(t);
    return throw_failure(env, "timerfd_create", strerror(e));
  }
  /* From here a failure undoes what was done, in reverse. */
  if ((s = napi_create_reference(env, argv[0], 1, &t->callback)) != napi_ok) goto napi_failed;
  if ((s = napi_create_string_utf8(env, "wsbench:send-timer", NAPI_AUTO_LENGTH, &name)) != napi_ok) goto napi_failed;
  if ((s = napi_async_init(env, NULL, name, &t->async)) != napi_ok) goto napi_failed;
  if ((rc = uv_poll_init(loop, &t->poll, t->fd)) != 0) {
    release_js(t);
    close(t->fd);
    free(t);
    return throw_failure(env, "uv_poll_init", uv_strerror(rc));
  }
  t->poll_open = 1;
  t->poll.data = t;
  /* The handle exists from here: until it is wrapped, failures close the poll and on_closed frees. */
  if ((rc = uv_poll_start(&t->poll, UV_READABLE, on_readable)) != 0) {
    shut(t);
    return throw_failure(env, "uv_poll_start", uv_strerror(rc));
  }
  uv_unref((uv_handle_t*)&t->poll);
  if ((s = napi_add_async_cleanup_hook(env, on_env_teardown, t, &t->teardown)) != napi_ok) {
    t->teardown = NULL;
    shut(t);
    return throw_status(env, "napi_add_async_cleanup_hook", s);
  }
  t->handle_alive = 1;
  if ((s = napi_create_external(env, t, on_handle_finalized, NULL, &handle)) != napi_ok) {
    t->handle_alive = 0;
    shut(t);
    return throw_status(env, "napi_create_external", s);
  }
  return handle;

napi_failed:
  /* The error info belongs to the failed call: read it before the clean-up calls overwrite it. */
  {
    const napi_extended_error_info* ei = NULL;
    char detail[160] = "napi status";
    if (napi_get_last_error_info(env, &ei) == napi_ok && ei != NULL && ei->error_message != NULL) snprintf(detail, sizeof detail, "%s", ei->error_message);
    release_js(t);
    close(t->fd);
    free(t);
    return throw_failure(env, "setting up the callback", detail);
  }
}

static napi_value arm(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  double ns;
  struct itimerspec spec;
  napi_status s;
  if ((s = napi_get_cb_info(env, info, &argc, argv, NULL, NULL)) != napi_ok) return throw_status(env, "napi_get_cb_info", s);
  if (argc < 2) {
    napi_throw_type_error(env, ERR_CODE, "native send timer: arm(handle, delayNs) needs two arguments");
    return NULL;
  }
  send_timer* t = handle_of(env, argv[0]);
  if (t == NULL) return NULL;
  if (napi_get_value_double(env, argv[1], &ns) != napi_ok) {
    napi_throw_type_error(env, ERR_CODE, "native send timer: arm's delay must be a number of nanoseconds");
    return NULL;
  }
  if (t->closed) return NULL; /* arming a closed timer does nothing, as clearTimeout'd timers do */
  if (!(ns >= 1)) ns = 1;     /* 0 would disarm it: "at once" is 1 ns; NaN too */
  if (ns > 1e18) ns = 1e18;   /* ~31 years: beyond time_t's reach is no later in practice */
  memset(&spec, 0, sizeof spec);
  spec.it_value.tv_sec = (time_t)(ns / 1e9);
  spec.it_value.tv_nsec = (long)(ns - (double)spec.it_value.tv_sec * 1e9);
  if (spec.it_value.tv_nsec < 0) spec.it_value.tv_nsec = 0;
  if (spec.it_value.tv_nsec > 999999999L) spec.it_value.tv_nsec = 999999999L;
  if (timerfd_settime(t->fd, 0, &spec, NULL) != 0) return throw_failure(env, "timerfd_settime", strerror(errno));
  uv_ref((uv_handle_t*)&t->poll);
  return NULL;
}

static napi_value close_timer(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_status s;
  if ((s = napi_get_cb_info(env, info, &argc, argv, NULL, NULL)) != napi_ok) return throw_status(env, "napi_get_cb_info", s);
  if (argc < 1) {
    napi_throw_type_error(env, ERR_CODE, "native send timer: close(handle) needs the handle");
    return NULL;
  }
  send_timer* t = handle_of(env, argv[0]);
  if (t == NULL) return NULL;
  shut(t);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"create", NULL, create, NULL, NULL, NULL, napi_enumerable, NULL},
      {"arm", NULL, arm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, close_timer, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, 3, props) != napi_ok) {
    throw_failure(env, "napi_define_properties", "loading the module");
    return NULL;
  }
  return exports;
}
