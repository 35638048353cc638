// faxgate's libcapi20 addon. Every libcapi20 call runs on the one CAPI thread (capi_thread.h);
// incoming messages are found with uv_poll on capi20_fileno and fetched only when a whole,
// acceptable frame is buffered (frame.h); messages that would abort the process are refused
// before they reach the library (handles.h). JavaScript never blocks on the library.
// Over 600 lines on purpose: this is the one N-API class and its methods; the thread, framing
// and handle checks it uses live in their own headers already.
#include <napi.h>
#include <uv.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "capi_lib.h"
#include "capi_thread.h"
#include "frame.h"
#include "handles.h"

namespace capi {
namespace {

constexpr unsigned kQueueEmpty = 0x1104;
constexpr unsigned kOsResourceError = 0x1108;
constexpr uint64_t kPartialFrameLimitMs = 30000;

struct App;
void StartPoll(App *app);

struct App {
  unsigned applId = 0;
  int fd = -1;
  unsigned maxBDataLen = 0;
  size_t msgBufSize = 0;
  size_t maxBufs = 0;  // libcapi20's receive buffers: 2 + MaxLogicalConnection × (MaxBDataBlocks + 1)
  Framing framing = Framing::kRcapi;
  HandleBook book;  // CAPI thread only
  // main thread only:
  bool receiving = false, down = false, released = false, paused = false, getInFlight = false;
  uv_poll_t *poll = nullptr;
  uv_timer_t *timer = nullptr;
  Napi::FunctionReference onMessage, onDown;
  uint64_t partialSince = 0;  // uv_now() when the current partial frame was first seen, or 0
  unsigned partialDelayMs = 0;
  std::atomic<uint64_t> getMessageCalls{0}, pollWakeups{0}, partialWaits{0};
};

struct State {
  std::unique_ptr<CapiThread> thread;
  std::map<unsigned, std::shared_ptr<App>> apps;
  uv_loop_t *loop = nullptr;
  Napi::Env env = nullptr;
};
State *g = nullptr;

Napi::Error MakeError(Napi::Env env, const std::string &msg, const char *code) {
  Napi::Error e = Napi::Error::New(env, msg);
  e.Set("code", Napi::String::New(env, code));
  return e;
}

void RequireLoaded(Napi::Env env) {
  if (!Loaded()) throw MakeError(env, "libcapi20 is not loaded: call load() first", "ERR_CAPI_NOT_LOADED");
}

unsigned UIntArg(const Napi::CallbackInfo &info, size_t i, const char *name) {
  if (info.Length() <= i || !info[i].IsNumber())
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a number");
  double v = info[i].As<Napi::Number>().DoubleValue();
  if (!(v >= 0 && v <= 0xFFFFFFFFu) || v != static_cast<double>(static_cast<uint64_t>(v)))
    throw Napi::RangeError::New(info.Env(), std::string(name) + " must be an unsigned 32-bit integer");
  return static_cast<unsigned>(v);
}

std::shared_ptr<App> FindApp(Napi::Env env, unsigned applId) {
  auto it = g->apps.find(applId);
  if (it == g->apps.end() || it->second->released)
    throw MakeError(env, "ApplID " + std::to_string(applId) + " is not registered by this process",
                    "ERR_CAPI_UNKNOWN_APPL");
  return it->second;
}

// Runs work on the CAPI thread and settles a promise with settle(env) on the main thread.
template <typename R>
Napi::Value Schedule(Napi::Env env, std::function<void(R &)> work,
                     std::function<Napi::Value(Napi::Env, R &)> settle) {
  auto deferred = std::make_shared<Napi::Promise::Deferred>(env);
  auto result = std::make_shared<R>();
  auto *job = new Job;
  job->work = [work, result] { work(*result); };
  job->complete = [deferred, result, settle](Napi::Env env) {
    try {
      deferred->Resolve(settle(env, *result));
    } catch (const Napi::Error &e) {
      deferred->Reject(e.Value());
    }
  };
  g->thread->Submit(job);
  return deferred->Promise();
}

// ---- receive path -------------------------------------------------------------------------

void CloseHandles(App *app) {
  if (app->poll) {
    uv_poll_stop(app->poll);
    uv_close(reinterpret_cast<uv_handle_t *>(app->poll), [](uv_handle_t *h) { delete reinterpret_cast<uv_poll_t *>(h); });
    app->poll = nullptr;
  }
  if (app->timer) {
    uv_timer_stop(app->timer);
    uv_close(reinterpret_cast<uv_handle_t *>(app->timer), [](uv_handle_t *h) { delete reinterpret_cast<uv_timer_t *>(h); });
    app->timer = nullptr;
  }
}

void GoDown(App *app, const std::string &why) {
  if (app->down || app->released) return;
  app->down = true;
  CloseHandles(app);
  if (app->onDown.IsEmpty()) return;
  Napi::Env env = app->onDown.Env();
  Napi::HandleScope scope(env);
  Napi::Error err = MakeError(env, "CAPI application " + std::to_string(app->applId) + " is down: " + why,
                              "ERR_CAPI_DOWN");
  app->onDown.Call({err.Value()});
}

// Delivers "down" from a libuv callback through the CAPI thread's queue, so it is ordered after
// messages already fetched and runs inside a proper callback scope.
void ScheduleDown(std::shared_ptr<App> app, std::string why) {
  CloseHandles(app.get());
  auto *job = new Job;
  job->complete = [app, why](Napi::Env) { GoDown(app.get(), why); };
  g->thread->Submit(job);
}

struct Received {
  unsigned info = 0;
  bool throttled = false;
  std::vector<uint8_t> msg, data;
  bool hasData = false;
  std::string problem;
};

// libcapi20's free list of receive buffers breaks when its last buffer is taken: the list
// head stays empty after buffers come back, so get_message answers 0x1108 for ever (§5; the
// free-list update in return_buffer does not reset the head). Every get_message takes a
// buffer, so it may only run while at least two are free. DATA_B3_IND buffers stay taken
// until their DATA_B3_RESP; HandleBook counts them.
bool MustThrottle(const App &app) { return app.book.Outstanding() + 2 > app.maxBufs; }

// CAPI thread: fetch one message and copy it out of the library's buffer at once (§5).
void FetchMessage(App &app, Received &r) {
  if (MustThrottle(app)) {
    r.throttled = true;
    r.info = kQueueEmpty;
    return;
  }
  unsigned char *buf = nullptr;
  app.getMessageCalls++;
  r.info = L().get_message(app.applId, &buf);
  if (r.info != 0 || buf == nullptr) return;
  size_t len = Le16(buf);
  if (len < 8) len = 8;
  if (len > app.msgBufSize) len = app.msgBufSize;
  r.msg.assign(buf, buf + len);
  if (buf[4] == kDataB3 && buf[5] == kInd && len >= 22) {
    size_t dataLen = Le16(buf + 16);
    const uint8_t *end = buf + app.msgBufSize;
    const uint8_t *src = buf + len;  // where the library keeps the data: right after the message
    if (len >= 30) {
      // On 64-bit the data pointer is Data64 (P14). Trust it only inside the buffer just returned.
      uint64_t d64 = static_cast<uint64_t>(Le32(buf + 22)) | (static_cast<uint64_t>(Le32(buf + 26)) << 32);
      auto *p = reinterpret_cast<const uint8_t *>(static_cast<uintptr_t>(d64));
      if (d64 != 0 && p >= buf + len && p <= end) src = p;
      else if (d64 != 0) r.problem = "Data64 points outside the message buffer; data read after the message";
      std::memset(r.msg.data() + 22, 0, 8);  // no library addresses in JavaScript
    }
    std::memset(r.msg.data() + 12, 0, 4);  // Data32: meaningless on 64-bit
    if (src + dataLen > end) {
      dataLen = static_cast<size_t>(end - src);
      r.problem = "DataLength exceeds the message buffer; data truncated";
    }
    r.data.assign(src, src + dataLen);
    r.hasData = true;
  }
  app.book.OnReceived(r.msg.data(), r.msg.size());
}

void OnPollTimer(uv_timer_t *t) { StartPoll(static_cast<App *>(t->data)); }

void OnPoll(uv_poll_t *handle, int status, int events) {
  App *app = static_cast<App *>(handle->data);
  auto it = g->apps.find(app->applId);
  if (it == g->apps.end()) return;
  std::shared_ptr<App> sp = it->second;
  uv_poll_stop(handle);
  app->pollWakeups++;
  if (status < 0) {
    ScheduleDown(sp, std::string("poll error: ") + uv_strerror(status));
    return;
  }
  FrameCheck fc = CheckFrame(app->fd, app->framing, app->msgBufSize, app->maxBDataLen);
  switch (fc.state) {
    case FrameState::kPartial: {
      // A frame is arriving in pieces. The fd stays readable, so look again after a growing
      // pause instead of spinning; a frame that never completes ends the application.
      const uint64_t now = uv_now(g->loop);
      if (app->partialSince == 0) {
        app->partialSince = now;
        app->partialDelayMs = 1;
      } else if (now - app->partialSince > kPartialFrameLimitMs) {
        ScheduleDown(sp, "a frame from the CAPI server stayed incomplete for " +
                             std::to_string(kPartialFrameLimitMs / 1000) + " s");
        return;
      }
      app->partialWaits++;
      app->partialDelayMs = app->partialDelayMs * 2 > 200 ? 200 : app->partialDelayMs * 2;
      uv_timer_start(app->timer, OnPollTimer, app->partialDelayMs, 0);
      return;
    }
    case FrameState::kClosed:
    case FrameState::kBroken:
    case FrameState::kOversize:
      ScheduleDown(sp, fc.detail);
      return;
    case FrameState::kReady:
      break;
  }
  app->partialSince = 0;
  app->getInFlight = true;
  auto r = std::make_shared<Received>();
  auto *job = new Job;
  // Runs even if release() was called meanwhile: the release job is queued behind this one,
  // so the socket is still open, and the result is dropped on completion.
  job->work = [sp, r] { FetchMessage(*sp, *r); };
  job->complete = [sp, r](Napi::Env env) {
    App *a = sp.get();
    a->getInFlight = false;
    if (a->released || a->down) return;
    if (r->throttled) {
      // Every spare receive buffer holds a DATA_B3_IND awaiting its DATA_B3_RESP. Polling
      // would spin (the fd stays readable): resume after the next DATA_B3_RESP.
      a->paused = true;
      return;
    }
    if (r->info != 0) {
      char hex[16];
      snprintf(hex, sizeof hex, "0x%04X", r->info);
      GoDown(a, std::string("capi20_get_message returned ") + hex + " for a buffered frame" +
                    (r->info == kOsResourceError ? " (libcapi20 out of receive buffers)" : " (dead connection, P6)"));
      return;
    }
    StartPoll(a);
    Napi::HandleScope scope(env);
    Napi::Buffer<uint8_t> msg = Napi::Buffer<uint8_t>::Copy(env, r->msg.data(), r->msg.size());
    Napi::Value data = r->hasData ? Napi::Buffer<uint8_t>::Copy(env, r->data.data(), r->data.size()).As<Napi::Value>()
                                  : env.Undefined();
    Napi::Value problem = r->problem.empty() ? env.Undefined() : Napi::String::New(env, r->problem).As<Napi::Value>();
    a->onMessage.Call({msg, data, problem});
  };
  g->thread->Submit(job);
}

void StartPoll(App *app) {
  if (!app->receiving || app->down || app->released || app->paused || app->getInFlight || !app->poll) return;
  uv_poll_start(app->poll, UV_READABLE | UV_DISCONNECT, OnPoll);
}

// ---- exports ----------------------------------------------------------------------------

Napi::Value JsLoad(const Napi::CallbackInfo &info) {
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(info.Env(), "soname must be a string");
  std::string why = capi::Load(info[0].As<Napi::String>().Utf8Value());
  if (!why.empty()) throw MakeError(info.Env(), why, "ERR_CAPI_LIBRARY");
  return info.Env().Undefined();
}

Napi::Value IsInstalled(const Napi::CallbackInfo &info) {
  RequireLoaded(info.Env());
  return Schedule<unsigned>(
      info.Env(), [](unsigned &r) { r = L().isinstalled(); },
      [](Napi::Env env, unsigned &r) { return Napi::Number::New(env, r); });
}

struct RegisterResult {
  unsigned info = 0, applId = 0;
  int fd = -1;
  std::string driver;
};

Napi::Value Register(const Napi::CallbackInfo &info) {
  RequireLoaded(info.Env());
  unsigned maxLc = UIntArg(info, 0, "maxLogicalConnection");
  unsigned maxBlocks = UIntArg(info, 1, "maxBDataBlocks");
  unsigned maxLen = UIntArg(info, 2, "maxBDataLen");
  return Schedule<RegisterResult>(
      info.Env(),
      [maxLc, maxBlocks, maxLen](RegisterResult &r) {
        r.info = L().register_(maxLc, maxBlocks, maxLen, &r.applId);
        if (r.info != 0) return;
        r.fd = L().fileno(r.applId);
        // libcapi20 leaves Nagle on for a remote CAPI socket: a small REQ then waits for the
        // previous segment's ACK (~40 ms). Turning it off is harmless for a local /dev/capi20
        // fd (setsockopt fails with ENOTSOCK and is ignored).
        if (r.fd >= 0) {
          int one = 1;
          setsockopt(r.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        }
        if (L().ext_get_driver) {
          const char *d = L().ext_get_driver();
          if (d) r.driver = d;
        }
      },
      [maxLc, maxBlocks, maxLen](Napi::Env env, RegisterResult &r) {
        Napi::Object o = Napi::Object::New(env);
        o.Set("info", r.info);
        if (r.info == 0) {
          auto app = std::make_shared<App>();
          app->applId = r.applId;
          app->fd = r.fd;
          app->maxBDataLen = maxLen;
          app->msgBufSize = maxLen + 128 > 2048 ? maxLen + 128 : 2048;
          app->maxBufs = 2 + static_cast<size_t>(maxLc) * (maxBlocks + 1);
          app->framing = FramingFor(r.driver.empty() ? nullptr : r.driver.c_str(), r.fd);
          g->apps[r.applId] = app;
          o.Set("applId", r.applId);
          o.Set("fd", r.fd);
          o.Set("driver", r.driver);
        }
        return o;
      });
}

Napi::Value Release(const Napi::CallbackInfo &info) {
  RequireLoaded(info.Env());
  std::shared_ptr<App> app = FindApp(info.Env(), UIntArg(info, 0, "applId"));
  app->released = true;
  CloseHandles(app.get());
  return Schedule<unsigned>(
      info.Env(), [app](unsigned &r) { r = L().release(app->applId); },
      [app](Napi::Env env, unsigned &r) {
        auto it = g->apps.find(app->applId);
        if (it != g->apps.end() && it->second == app) g->apps.erase(it);
        app->onMessage.Reset();
        app->onDown.Reset();
        return Napi::Number::New(env, r);
      });
}

struct PutResult {
  unsigned info = 0;
  Refusal refused;
  bool freedBuffers = false;
};

Napi::Value PutMessage(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  RequireLoaded(env);
  std::shared_ptr<App> app = FindApp(env, UIntArg(info, 0, "applId"));
  if (info.Length() < 2 || !info[1].IsTypedArray()) throw Napi::TypeError::New(env, "message must be a Uint8Array");
  Napi::Uint8Array raw = info[1].As<Napi::Uint8Array>();
  std::vector<uint8_t> msg(raw.Data(), raw.Data() + raw.ByteLength());
  std::vector<uint8_t> data;
  if (info.Length() > 2 && !info[2].IsUndefined() && !info[2].IsNull()) {
    if (!info[2].IsTypedArray()) throw Napi::TypeError::New(env, "data must be a Uint8Array");
    Napi::Uint8Array d = info[2].As<Napi::Uint8Array>();
    data.assign(d.Data(), d.Data() + d.ByteLength());
  }
  if (app->down) {
    // After the server closed the connection the first put "succeeds" and loses the data (P6).
    auto deferred = Napi::Promise::Deferred::New(env);
    deferred.Reject(MakeError(env, "CAPI application " + std::to_string(app->applId) + " is down", "ERR_CAPI_DOWN").Value());
    return deferred.Promise();
  }
  return Schedule<PutResult>(
      env,
      [app, msg, data](PutResult &r) {
        r.refused = app->book.CheckAndApplyPut(app->applId, msg.data(), msg.size(), data.size(), app->maxBDataLen);
        if (!r.refused.empty()) return;
        // libcapi20 copies the data in place behind the message and may read a full send
        // buffer: hand it at least 2176 bytes (§5, P16).
        std::vector<uint8_t> buf(kSendBufSize, 0);
        std::memcpy(buf.data(), msg.data(), msg.size());
        if (msg[4] == kDataB3 && msg[5] == kReq) {
          std::memset(buf.data() + 12, 0, 4);  // Data32 unused on 64-bit
          if (msg.size() >= 30) std::memset(buf.data() + 22, 0, 8);  // Data64 = 0: data follows the message
          std::memcpy(buf.data() + msg.size(), data.data(), data.size());
        }
        const bool resp = (msg[4] == kDataB3 || msg[4] == kDisconnectB3) && msg[5] == kResp;
        r.info = L().put_message(app->applId, buf.data());
        r.freedBuffers = resp;
      },
      [app](Napi::Env env, PutResult &r) -> Napi::Value {
        if (!r.refused.empty()) {
          Napi::Error e = MakeError(env, r.refused.message, "ERR_CAPI_REFUSED");
          e.Set("guard", Napi::String::New(env, r.refused.guard));
          throw e;
        }
        if (r.freedBuffers && app->paused) {
          app->paused = false;
          StartPoll(app.get());
        }
        return Napi::Number::New(env, r.info);
      });
}

Napi::Value GetMessage(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  RequireLoaded(env);
  std::shared_ptr<App> app = FindApp(env, UIntArg(info, 0, "applId"));
  // Never two readers on one ApplID: frames would interleave (P13).
  if (app->receiving) throw MakeError(env, "ApplID is receiving through startReceiving()", "ERR_CAPI_BUSY");
  struct R {
    Received rec;
    FrameCheck fc{FrameState::kPartial, 0, ""};
  };
  return Schedule<R>(
      env,
      [app](R &r) {
        r.fc = CheckFrame(app->fd, app->framing, app->msgBufSize, app->maxBDataLen);
        // get_message would block (P1), wait for the rest of a frame (P7) or abort (P4).
        if (r.fc.state == FrameState::kReady) FetchMessage(*app, r.rec);
        else r.rec.info = kQueueEmpty;
      },
      [](Napi::Env env, R &r) -> Napi::Value {
        if (r.fc.state == FrameState::kOversize || r.fc.state == FrameState::kBroken)
          throw MakeError(env, r.fc.detail, "ERR_CAPI_FRAME");
        Napi::Object o = Napi::Object::New(env);
        o.Set("info", r.rec.info);
        o.Set("closed", r.fc.state == FrameState::kClosed);
        o.Set("throttled", r.rec.throttled);
        if (r.rec.info == 0 && !r.rec.msg.empty()) {
          o.Set("message", Napi::Buffer<uint8_t>::Copy(env, r.rec.msg.data(), r.rec.msg.size()));
          if (r.rec.hasData) o.Set("data", Napi::Buffer<uint8_t>::Copy(env, r.rec.data.data(), r.rec.data.size()));
        }
        return o;
      });
}

// capi20_waitformessage is capi20_isinstalled + select() on the application socket. Both are
// trouble off the CAPI thread: select() aborts for fd >= 1024 (P2), and isinstalled re-reads
// the config and reloads modules whenever a release closed the info socket (P13). So this is
// the same wait done with poll() on capi20_fileno, on a pool thread, never touching libcapi20.
class WaitWorker : public Napi::AsyncWorker {
 public:
  WaitWorker(Napi::Env env, int fd, unsigned timeoutMs)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), fd_(fd), timeoutMs_(timeoutMs) {}
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override {
    struct pollfd p = {fd_, POLLIN, 0};
    int n;
    do n = poll(&p, 1, static_cast<int>(timeoutMs_));
    while (n < 0 && errno == EINTR);
    result_ = n > 0 ? 0 : kQueueEmpty;
  }
  void OnOK() override { deferred_.Resolve(Napi::Number::New(Env(), result_)); }
  void OnError(const Napi::Error &e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  int fd_;
  unsigned timeoutMs_, result_ = 0;
};

Napi::Value WaitForMessage(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  RequireLoaded(env);
  std::shared_ptr<App> app = FindApp(env, UIntArg(info, 0, "applId"));
  unsigned timeoutMs = UIntArg(info, 1, "timeoutMs");
  if (timeoutMs > 0x7FFFFFFF) throw Napi::RangeError::New(env, "timeoutMs too large");
  auto *w = new WaitWorker(env, app->fd, timeoutMs);
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

Napi::Value StartReceiving(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  RequireLoaded(env);
  std::shared_ptr<App> app = FindApp(env, UIntArg(info, 0, "applId"));
  if (info.Length() < 3 || !info[1].IsFunction() || !info[2].IsFunction())
    throw Napi::TypeError::New(env, "startReceiving(applId, onMessage, onDown)");
  if (app->receiving) throw MakeError(env, "already receiving", "ERR_CAPI_BUSY");
  if (app->down) throw MakeError(env, "CAPI application is down", "ERR_CAPI_DOWN");
  app->onMessage = Napi::Persistent(info[1].As<Napi::Function>());
  app->onDown = Napi::Persistent(info[2].As<Napi::Function>());
  app->poll = new uv_poll_t;
  int rc = uv_poll_init(g->loop, app->poll, app->fd);
  if (rc != 0) {
    delete app->poll;
    app->poll = nullptr;
    throw MakeError(env, std::string("uv_poll_init: ") + uv_strerror(rc), "ERR_CAPI_POLL");
  }
  app->poll->data = app.get();
  app->timer = new uv_timer_t;
  uv_timer_init(g->loop, app->timer);
  app->timer->data = app.get();
  uv_unref(reinterpret_cast<uv_handle_t *>(app->timer));
  app->receiving = true;
  StartPoll(app.get());
  return env.Undefined();
}

Napi::Value Fileno(const Napi::CallbackInfo &info) {
  RequireLoaded(info.Env());
  return Napi::Number::New(info.Env(), FindApp(info.Env(), UIntArg(info, 0, "applId"))->fd);
}

Napi::Value Stats(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  std::shared_ptr<App> app = FindApp(env, UIntArg(info, 0, "applId"));
  Napi::Object o = Napi::Object::New(env);
  o.Set("getMessageCalls", static_cast<double>(app->getMessageCalls.load()));
  o.Set("pollWakeups", static_cast<double>(app->pollWakeups.load()));
  o.Set("partialWaits", static_cast<double>(app->partialWaits.load()));
  o.Set("down", app->down);
  o.Set("paused", app->paused);
  o.Set("pendingJobs", static_cast<double>(g->thread->Pending()));
  return o;
}

Napi::Value GetProfile(const Napi::CallbackInfo &info) {
  RequireLoaded(info.Env());
  unsigned ctrl = UIntArg(info, 0, "controller");
  struct R {
    unsigned info = 0;
    unsigned char buf[256];
  };
  return Schedule<R>(
      info.Env(),
      [ctrl](R &r) {
        std::memset(r.buf, 0, sizeof r.buf);
        r.info = L().get_profile(ctrl, r.buf);
      },
      [](Napi::Env env, R &r) {
        Napi::Object o = Napi::Object::New(env);
        o.Set("info", r.info);
        o.Set("profile", Napi::Buffer<uint8_t>::Copy(env, r.buf, 64));
        return o;
      });
}

// get_manufacturer / get_serial_number: NULL means the call failed (for rcapi: transport).
Napi::Value InfoString(const Napi::CallbackInfo &info, unsigned char *(*fn)(unsigned, unsigned char *), size_t max) {
  RequireLoaded(info.Env());
  unsigned ctrl = UIntArg(info, 0, "controller");
  struct R {
    bool ok = false;
    unsigned char buf[256];
  };
  return Schedule<R>(
      info.Env(),
      [ctrl, fn](R &r) {
        std::memset(r.buf, 0, sizeof r.buf);
        r.ok = fn(ctrl, r.buf) != nullptr;
      },
      [max](Napi::Env env, R &r) -> Napi::Value {
        if (!r.ok) return env.Null();
        r.buf[max - 1] = 0;
        return Napi::String::New(env, reinterpret_cast<const char *>(r.buf), strnlen(reinterpret_cast<const char *>(r.buf), max));
      });
}

Napi::Value GetManufacturer(const Napi::CallbackInfo &info) { return InfoString(info, L().get_manufacturer, 64); }
Napi::Value GetSerialNumber(const Napi::CallbackInfo &info) { return InfoString(info, L().get_serial_number, 8); }

Napi::Value GetVersion(const Napi::CallbackInfo &info) {
  RequireLoaded(info.Env());
  unsigned ctrl = UIntArg(info, 0, "controller");
  struct R {
    bool ok = false;
    unsigned char buf[256];
  };
  return Schedule<R>(
      info.Env(),
      [ctrl](R &r) {
        std::memset(r.buf, 0, sizeof r.buf);
        r.ok = L().get_version(ctrl, r.buf) != nullptr;
      },
      [](Napi::Env env, R &r) -> Napi::Value {
        if (!r.ok) return env.Null();
        Napi::Object o = Napi::Object::New(env);
        o.Set("capiMajor", Le32(r.buf));
        o.Set("capiMinor", Le32(r.buf + 4));
        o.Set("manufacturerMajor", Le32(r.buf + 8));
        o.Set("manufacturerMinor", Le32(r.buf + 12));
        return o;
      });
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  g = new State;
  g->env = env;
  napi_get_uv_event_loop(env, &g->loop);
  g->thread = std::make_unique<CapiThread>(env);
  exports.Set("load", Napi::Function::New(env, JsLoad));
  exports.Set("isInstalled", Napi::Function::New(env, IsInstalled));
  exports.Set("register", Napi::Function::New(env, Register));
  exports.Set("release", Napi::Function::New(env, Release));
  exports.Set("putMessage", Napi::Function::New(env, PutMessage));
  exports.Set("getMessage", Napi::Function::New(env, GetMessage));
  exports.Set("waitForMessage", Napi::Function::New(env, WaitForMessage));
  exports.Set("startReceiving", Napi::Function::New(env, StartReceiving));
  exports.Set("getProfile", Napi::Function::New(env, GetProfile));
  exports.Set("getManufacturer", Napi::Function::New(env, GetManufacturer));
  exports.Set("getVersion", Napi::Function::New(env, GetVersion));
  exports.Set("getSerialNumber", Napi::Function::New(env, GetSerialNumber));
  exports.Set("fileno", Napi::Function::New(env, Fileno));
  exports.Set("stats", Napi::Function::New(env, Stats));
  return exports;
}

}  // namespace capi

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return capi::Init(env, exports); }
NODE_API_MODULE(capi20, InitAddon)
