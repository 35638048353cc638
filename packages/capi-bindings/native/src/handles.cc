#include "handles.h"

#include <cstdio>

namespace capi {

namespace {
std::string Hex(unsigned v, int width) {
  char buf[16];
  snprintf(buf, sizeof buf, "0x%0*X", width, v);
  return buf;
}
}  // namespace

void HandleBook::OnReceived(const uint8_t *msg, size_t len) {
  if (len < 12) return;
  const uint8_t cmd = msg[4], sub = msg[5];
  if (cmd == kDataB3 && sub == kInd && len >= 22) {
    outstanding_[Le16(msg + 18)] = Le32(msg + 8);
  } else if (cmd == kDisconnect && sub == kInd) {
    // The library frees every DATA_B3_IND buffer of this PLCI when it hands out DISCONNECT_IND.
    const uint32_t plci = Le32(msg + 8) & 0xFFFF;
    for (auto it = outstanding_.begin(); it != outstanding_.end();)
      it = (it->second & 0xFFFF) == plci ? outstanding_.erase(it) : std::next(it);
  }
}

Refusal HandleBook::CheckAndApplyPut(unsigned applId, const uint8_t *msg, size_t len, size_t dataLen,
                                     unsigned maxBDataLen) {
  using std::to_string;
  if (len < 12) return {"malformed", "CAPI message of " + to_string(len) + " bytes is shorter than 12"};
  if (Le16(msg) != len)
    return {"malformed", "TotalLength " + to_string(Le16(msg)) + " does not match the message size " + to_string(len)};
  if (Le16(msg + 2) != applId)
    return {"malformed", "ApplID " + to_string(Le16(msg + 2)) + " in the message is not this application's " +
                             to_string(applId)};
  if (len > kSendBufSize) return {"oversize", "CAPI message of " + to_string(len) + " bytes exceeds 2176"};
  const uint8_t cmd = msg[4], sub = msg[5];
  const bool dataReq = cmd == kDataB3 && sub == kReq;
  if (!dataReq && dataLen > 0) return {"malformed", "data may only accompany DATA_B3_REQ"};
  if (dataReq) {
    if (len != 22 && len != 30) return {"malformed", "DATA_B3_REQ must be 22 or 30 bytes, not " + to_string(len)};
    if (Le16(msg + 16) != dataLen)
      return {"data-length", "DATA_B3_REQ DataLength " + to_string(Le16(msg + 16)) + " does not match " +
                                 to_string(dataLen) + " data bytes"};
    if (len + dataLen > kSendBufSize)
      return {"oversize", "DATA_B3_REQ message + data = " + to_string(len + dataLen) +
                              " bytes exceeds libcapi20's 2176-byte send buffer (would abort the process)"};
    if (dataLen > maxBDataLen)
      return {"data-length", "DATA_B3_REQ with " + to_string(dataLen) + " data bytes exceeds MaxBDataLen " +
                                 to_string(maxBDataLen)};
    return {};
  }
  if (cmd == kDataB3 && sub == kResp) {
    if (len < 14) return {"malformed", "DATA_B3_RESP shorter than 14 bytes"};
    const uint32_t ncci = Le32(msg + 8);
    const uint16_t handle = Le16(msg + 12);
    auto it = outstanding_.find(handle);
    if (it == outstanding_.end())
      return {"data-handle", "DATA_B3_RESP with DataHandle " + to_string(handle) +
                                 " that libcapi20 does not hold (unknown, already answered, or freed by a "
                                 "disconnect): it would abort the process"};
    if (it->second != ncci)
      return {"data-handle", "DATA_B3_RESP with DataHandle " + to_string(handle) + " for NCCI " + Hex(ncci, 8) +
                                 ", but that handle belongs to NCCI " + Hex(it->second, 8)};
    outstanding_.erase(it);
    return {};
  }
  if (cmd == kDisconnectB3 && sub == kResp) {
    // The library frees the DATA_B3_IND buffers of this NCCI: later RESPs for them would abort.
    const uint32_t ncci = Le32(msg + 8);
    for (auto it = outstanding_.begin(); it != outstanding_.end();)
      it = it->second == ncci ? outstanding_.erase(it) : std::next(it);
  }
  return {};
}

}  // namespace capi
