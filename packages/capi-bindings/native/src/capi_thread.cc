#include "capi_thread.h"

namespace capi {

CapiThread::CapiThread(Napi::Env env) : env_(env) {
  tsfn_ = Tsfn::New(env, "libcapi20", 0, 1, this);
  tsfn_.Unref(env);
  // Detached: at process exit the thread may sit in a blocking libcapi20 call (P9);
  // a joinable std::thread would then terminate the process from its destructor.
  std::thread([this] { Run(); }).detach();
}

void CapiThread::Submit(Job *job) {
  if (pending_++ == 0) tsfn_.Ref(env_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(job);
  }
  cv_.notify_one();
}

void CapiThread::Run() {
  for (;;) {
    Job *job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return !queue_.empty(); });
      job = queue_.front();
      queue_.pop_front();
    }
    if (job->work) job->work();
    if (tsfn_.BlockingCall(job) != napi_ok) {
      // The environment is shutting down: nobody waits for the result any more.
      delete job;
    }
  }
}

void CapiThread::CallJs(Napi::Env env, Napi::Function, CapiThread *self, Job *job) {
  if (env == nullptr) {  // finalising: drop the job without touching JS
    delete job;
    return;
  }
  if (--self->pending_ == 0) self->tsfn_.Unref(env);
  try {
    if (job->complete) job->complete(env);
  } catch (const Napi::Error &e) {
    delete job;
    e.ThrowAsJavaScriptException();  // surfaces as an uncaught exception, like any listener error
    return;
  }
  delete job;
}

}  // namespace capi
