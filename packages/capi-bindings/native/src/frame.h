// Looks at the application socket without consuming anything, to decide whether
// capi20_get_message can run now without blocking and without crashing the process.
//
// - get_message blocks when nothing is queued (P1) and reads the rest of a frame with a
//   blocking recv (P7), so it may only run when a whole frame is in the socket buffer.
// - the library reads the frame into a 4096-byte stack buffer: a bigger frame aborts the
//   process (P4), so such a frame must never reach it.
// - EOF means the server closed the connection: get_message would return 0x1104 forever (P6).
#pragma once

#include <cstddef>
#include <string>

namespace capi {

enum class Framing { kRcapi, kFritzbox, kDevice };

enum class FrameState {
  kReady,      // a whole frame is buffered: get_message will not block
  kPartial,    // nothing, or only part of a frame, is buffered yet
  kClosed,     // EOF: the server closed the connection
  kOversize,   // the next frame is larger than the library can take
  kBroken,     // unreadable or malformed header, socket error
};

struct FrameCheck {
  FrameState state;
  size_t frameBytes = 0;  // whole frame on the wire, header included
  std::string detail;
};

// The library's receive stack buffer (capi_mod_rcapi.c / capi_mod_fritzbox.c).
constexpr size_t kLibraryFrameLimit = 4096;

Framing FramingFor(const char *driver, int fd);
// maxMessageBytes: the application's receive buffer, max(2048, 128 + MaxBDataLen); a larger
// message would be truncated silently while its TotalLength still claims the full size (P4).
// maxBDataLen: a DATA_B3_IND carrying more is refused; the library would move its data to
// offset 30 and could run past its receive buffer.
FrameCheck CheckFrame(int fd, Framing framing, size_t maxMessageBytes, size_t maxBDataLen);

}  // namespace capi
