// One dedicated thread runs every libcapi20 call of the process, in submission order.
//
// Why one thread: libcapi20 keeps its info socket, module pointer, config globals and the
// per-application buffer lists without locks (capi-reference P13), and register, get_profile
// and the info calls can block in recv with no timeout (P9). Serialising all calls on one
// thread that is not the event loop satisfies both: nothing races inside the library, and a
// hanging call never stalls JavaScript. Results come back to the main thread through a
// ThreadSafeFunction, where promises are settled and JS callbacks run.
#pragma once

#include <napi.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace capi {

struct Job {
  std::function<void()> work;               // on the CAPI thread
  std::function<void(Napi::Env)> complete;  // on the main thread, afterwards
};

class CapiThread {
 public:
  explicit CapiThread(Napi::Env env);
  // Main thread only. Keeps the event loop alive while jobs are pending.
  void Submit(Job *job);
  size_t Pending() const { return pending_; }

 private:
  void Run();
  static void CallJs(Napi::Env env, Napi::Function fn, CapiThread *self, Job *job);

  Napi::Env env_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job *> queue_;
  size_t pending_ = 0;  // main thread only
  using Tsfn = Napi::TypedThreadSafeFunction<CapiThread, Job, &CapiThread::CallJs>;
  Tsfn tsfn_;
};

}  // namespace capi
