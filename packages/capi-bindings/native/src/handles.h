// Guards that keep messages which would abort the process away from libcapi20.
//
// - DATA_B3_REQ whose message + data exceed the library's 2176-byte send buffer: the
//   library's length check is broken and the process dies of stack smashing (P5).
// - DATA_B3_RESP with a DataHandle the library does not hold (unknown, answered twice, or
//   freed by DISCONNECT_B3_RESP / DISCONNECT_IND): an assert() aborts the process (P3).
//   HandleBook mirrors the library's buffer bookkeeping so such a RESP is refused instead.
// All methods run on the CAPI thread, in the same order as the library calls they mirror.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace capi {

constexpr size_t kSendBufSize = 2176;  // SEND_BUFSIZ in libcapi20

inline uint16_t Le16(const uint8_t *p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
inline uint32_t Le32(const uint8_t *p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

constexpr uint8_t kDisconnect = 0x04, kDisconnectB3 = 0x84, kDataB3 = 0x86;
constexpr uint8_t kReq = 0x80, kInd = 0x82, kResp = 0x83;

struct Refusal {
  std::string guard;  // 'malformed', 'data-length', 'oversize', 'data-handle'
  std::string message;
  bool empty() const { return message.empty(); }
};

class HandleBook {
 public:
  // A message just returned by capi20_get_message.
  void OnReceived(const uint8_t *msg, size_t len);
  // Empty when the message may go to capi20_put_message, else why not. Also applies the
  // library's own bookkeeping for the message (as if it was sent), so call it right before
  // put_message.
  Refusal CheckAndApplyPut(unsigned applId, const uint8_t *msg, size_t len, size_t dataLen,
                               unsigned maxBDataLen);
  size_t Outstanding() const { return outstanding_.size(); }

 private:
  std::map<uint16_t, uint32_t> outstanding_;  // library DataHandle -> NCCI
};

}  // namespace capi
