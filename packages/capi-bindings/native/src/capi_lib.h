// The few libcapi20 entry points the addon uses, resolved with dlopen/dlsym at run time.
// Declared here (same signatures as Debian's capi20.h, libcapi20 3.27) so the build needs
// neither libcapi20-dev nor the library itself.
#pragma once

#include <string>
#include <sys/time.h>

namespace capi {

struct Lib {
  unsigned (*isinstalled)(void) = nullptr;
  unsigned (*register_)(unsigned maxLogicalConnection, unsigned maxBDataBlocks, unsigned maxBDataLen,
                        unsigned *applId) = nullptr;
  unsigned (*release)(unsigned applId) = nullptr;
  unsigned (*put_message)(unsigned applId, unsigned char *msg) = nullptr;
  unsigned (*get_message)(unsigned applId, unsigned char **buf) = nullptr;
  unsigned (*waitformessage)(unsigned applId, struct timeval *timeout) = nullptr;
  unsigned char *(*get_manufacturer)(unsigned ctrl, unsigned char *buf) = nullptr;
  unsigned char *(*get_version)(unsigned ctrl, unsigned char *buf) = nullptr;
  unsigned char *(*get_serial_number)(unsigned ctrl, unsigned char *buf) = nullptr;
  unsigned (*get_profile)(unsigned ctrl, unsigned char *buf) = nullptr;
  int (*fileno)(unsigned applId) = nullptr;
  // Optional (capi20ext_*): tells which module (rcapi, fritzbox, standard) was chosen.
  char *(*ext_get_driver)(void) = nullptr;
};

// Loads the library once per process. Returns an empty string on success, else the reason.
std::string Load(const std::string &soname);
bool Loaded();
const Lib &L();
const std::string &LoadedPath();

}  // namespace capi
