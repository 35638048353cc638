#include "capi_lib.h"

#include <dlfcn.h>

#include <mutex>

namespace capi {

namespace {
Lib lib;
bool loaded = false;
std::string loadedPath;
std::mutex loadMutex;

template <typename F>
bool Sym(void *handle, const char *name, F &out, std::string &missing) {
  void *p = dlsym(handle, name);
  if (p == nullptr) {
    if (!missing.empty()) missing += ", ";
    missing += name;
    return false;
  }
  out = reinterpret_cast<F>(p);
  return true;
}
}  // namespace

std::string Load(const std::string &soname) {
  std::lock_guard<std::mutex> lock(loadMutex);
  if (loaded) {
    if (soname == loadedPath) return "";
    return "libcapi20 already loaded from " + loadedPath;
  }
  // RTLD_NOW: a library missing a symbol fails here, not at the first call.
  void *h = dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (h == nullptr) {
    const char *e = dlerror();
    return std::string("dlopen(") + soname + ") failed: " + (e ? e : "unknown error");
  }
  Lib l;
  std::string missing;
  Sym(h, "capi20_isinstalled", l.isinstalled, missing);
  Sym(h, "capi20_register", l.register_, missing);
  Sym(h, "capi20_release", l.release, missing);
  Sym(h, "capi20_put_message", l.put_message, missing);
  Sym(h, "capi20_get_message", l.get_message, missing);
  Sym(h, "capi20_waitformessage", l.waitformessage, missing);
  Sym(h, "capi20_get_manufacturer", l.get_manufacturer, missing);
  Sym(h, "capi20_get_version", l.get_version, missing);
  Sym(h, "capi20_get_serial_number", l.get_serial_number, missing);
  Sym(h, "capi20_get_profile", l.get_profile, missing);
  Sym(h, "capi20_fileno", l.fileno, missing);
  if (!missing.empty()) {
    dlclose(h);
    return soname + " is not a usable libcapi20: missing " + missing;
  }
  l.ext_get_driver = reinterpret_cast<char *(*)(void)>(dlsym(h, "capi20ext_get_driver"));
  lib = l;
  loaded = true;
  loadedPath = soname;
  return "";
}

bool Loaded() {
  std::lock_guard<std::mutex> lock(loadMutex);
  return loaded;
}

const Lib &L() { return lib; }
const std::string &LoadedPath() { return loadedPath; }

}  // namespace capi
