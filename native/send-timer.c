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
 */
#define NAPI_VERSION 8
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <node_api.h>
#include <uv.h>

typedef struct {
  int fd;
  int closed;
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context async;
  napi_async_cleanup_hook_handle teardown;
} send_timer;

static void on_closed(uv_handle_t* handle) {
  send_timer* t = (send_timer*)handle->data;
  close(t->fd);
  /* Whether or not teardown has begun: the environment may now be torn down (and this library unloaded). */
  napi_remove_async_cleanup_hook(t->teardown);
  free(t);
}

static void shut(send_timer* t) {
  if (t->closed) return;
  t->closed = 1;
  uv_poll_stop(&t->poll);
  uv_close((uv_handle_t*)&t->poll, on_closed);
}

/* A timer still open (or still closing) when its thread's environment goes away: on_closed ends the wait. */
static void on_env_teardown(napi_async_cleanup_hook_handle handle, void* arg) {
  (void)handle;
  shut((send_timer*)arg);
}

static void on_readable(uv_poll_t* poll, int status, int events) {
  send_timer* t = (send_timer*)poll->data;
  uint64_t expirations;
  (void)events;
  if (status < 0 || read(t->fd, &expirations, sizeof expirations) < 0) return; /* EAGAIN: re-armed meanwhile */
  uv_unref((uv_handle_t*)&t->poll);
  napi_env env = t->env;
  napi_handle_scope scope;
  napi_value cb, recv, result;
  napi_open_handle_scope(env, &scope);
  napi_get_reference_value(env, t->callback, &cb);
  napi_get_global(env, &recv);
  /* make_callback: the microtasks the callback queues run before the loop goes on, as for a timer. */
  napi_make_callback(env, t->async, recv, cb, 0, NULL, &result);
  napi_close_handle_scope(env, scope);
}

static send_timer* handle_of(napi_env env, napi_value v) {
  void* data = NULL;
  if (napi_get_value_external(env, v, &data) != napi_ok) return NULL;
  return (send_timer*)data;
}

static napi_value create(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], name, handle;
  uv_loop_t* loop;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (fd < 0) {
    napi_throw_error(env, "WSB_ERR_SEND_TIMER", strerror(errno));
    return NULL;
  }
  send_timer* t = calloc(1, sizeof *t);
  t->fd = fd;
  t->env = env;
  napi_create_reference(env, argv[0], 1, &t->callback);
  napi_create_string_utf8(env, "wsbench:send-timer", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &t->async);
  napi_get_uv_event_loop(env, &loop);
  uv_poll_init(loop, &t->poll, fd);
  t->poll.data = t;
  uv_poll_start(&t->poll, UV_READABLE, on_readable);
  uv_unref((uv_handle_t*)&t->poll);
  napi_add_async_cleanup_hook(env, on_env_teardown, t, &t->teardown);
  napi_create_external(env, t, NULL, NULL, &handle);
  return handle;
}

static napi_value arm(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  double ns;
  struct itimerspec spec;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  send_timer* t = handle_of(env, argv[0]);
  if (t == NULL || t->closed || napi_get_value_double(env, argv[1], &ns) != napi_ok) return NULL;
  if (!(ns >= 1)) ns = 1; /* 0 would disarm it: "at once" is 1 ns */
  memset(&spec, 0, sizeof spec);
  spec.it_value.tv_sec = (time_t)(ns / 1e9);
  spec.it_value.tv_nsec = (long)(ns - (double)spec.it_value.tv_sec * 1e9);
  timerfd_settime(t->fd, 0, &spec, NULL);
  uv_ref((uv_handle_t*)&t->poll);
  return NULL;
}

static napi_value close_timer(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  send_timer* t = handle_of(env, argv[0]);
  if (t == NULL || t->closed) return NULL;
  napi_delete_reference(env, t->callback);
  napi_async_destroy(env, t->async);
  shut(t);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"create", NULL, create, NULL, NULL, NULL, napi_enumerable, NULL},
      {"arm", NULL, arm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, close_timer, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, 3, props);
  return exports;
}
