#include "frame.h"

#include <cerrno>
#include <cstring>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

namespace capi {

Framing FramingFor(const char *driver, int fd) {
  struct stat st;
  if (fstat(fd, &st) == 0 && !S_ISSOCK(st.st_mode)) return Framing::kDevice;  // /dev/capi20
  if (driver != nullptr && strcasecmp(driver, "fritzbox") == 0) return Framing::kFritzbox;
  return Framing::kRcapi;
}

FrameCheck CheckFrame(int fd, Framing framing, size_t maxMessageBytes, size_t maxBDataLen) {
  // The kernel device hands out whole messages per read: readable means ready.
  if (framing == Framing::kDevice) return {FrameState::kReady, 0, ""};

  const size_t headerLen = framing == Framing::kRcapi ? 2 : 3;
  unsigned char hdr[3];
  ssize_t n = recv(fd, hdr, headerLen, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return {FrameState::kClosed, 0, "connection closed by the CAPI server"};
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return {FrameState::kPartial, 0, ""};
    return {FrameState::kBroken, 0, std::string("recv: ") + strerror(errno)};
  }
  if (static_cast<size_t>(n) < headerLen) return {FrameState::kPartial, 0, ""};

  size_t frame, body;
  if (framing == Framing::kRcapi) {
    frame = (static_cast<size_t>(hdr[0]) << 8) | hdr[1];  // big-endian, counts itself
    if (frame < 2 + 8) return {FrameState::kBroken, frame, "rcapi frame shorter than a CAPI header"};
    body = frame - 2;
  } else {
    if (hdr[0] != 0x80) return {FrameState::kBroken, 0, "fritzbox frame without 0x80 marker"};
    body = hdr[1] | (static_cast<size_t>(hdr[2]) << 8);
    frame = body + 3;
    if (body < 8) return {FrameState::kBroken, frame, "fritzbox frame shorter than a CAPI header"};
  }
  if (body > kLibraryFrameLimit) {
    return {FrameState::kOversize, frame,
            "frame of " + std::to_string(body) + " bytes from the CAPI server exceeds libcapi20's " +
                std::to_string(kLibraryFrameLimit) + "-byte receive buffer (would abort the process)"};
  }
  if (body > maxMessageBytes) {
    return {FrameState::kOversize, frame,
            "frame of " + std::to_string(body) + " bytes exceeds the application's " +
                std::to_string(maxMessageBytes) + "-byte message buffer (libcapi20 would truncate it)"};
  }
  int avail = 0;
  if (ioctl(fd, FIONREAD, &avail) < 0) return {FrameState::kBroken, frame, std::string("FIONREAD: ") + strerror(errno)};
  if (static_cast<size_t>(avail) < frame) return {FrameState::kPartial, frame, ""};

  // The whole frame is here: look at the CAPI header for what the library cannot take.
  unsigned char head[3 + 8];
  const size_t want = headerLen + 8;
  n = recv(fd, head, want, MSG_PEEK | MSG_DONTWAIT);
  if (n < static_cast<ssize_t>(want)) return {FrameState::kBroken, frame, "short CAPI header"};
  const unsigned char *m = head + headerLen;
  const size_t total = m[0] | (static_cast<size_t>(m[1]) << 8);
  if (total < 8 || total > body)
    return {FrameState::kBroken, frame, "TotalLength " + std::to_string(total) + " does not fit the frame"};
  if (m[4] == 0x86 && m[5] == 0x82) {  // DATA_B3_IND
    if (total < 22) return {FrameState::kBroken, frame, "DATA_B3_IND shorter than 22 bytes"};
    if (body - total > maxBDataLen)
      return {FrameState::kOversize, frame,
              "DATA_B3_IND with " + std::to_string(body - total) + " data bytes exceeds MaxBDataLen " +
                  std::to_string(maxBDataLen)};
  }
  return {FrameState::kReady, frame, ""};
}

}  // namespace capi
