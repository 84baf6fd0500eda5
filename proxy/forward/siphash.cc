#include "forward/siphash.h"

#include <bit>
#include <cstring>

namespace sipguard::forward {
namespace {

inline void Round(uint64_t& v0, uint64_t& v1, uint64_t& v2, uint64_t& v3) {
  v0 += v1;
  v1 = std::rotl(v1, 13);
  v1 ^= v0;
  v0 = std::rotl(v0, 32);
  v2 += v3;
  v3 = std::rotl(v3, 16);
  v3 ^= v2;
  v0 += v3;
  v3 = std::rotl(v3, 21);
  v3 ^= v0;
  v2 += v1;
  v1 = std::rotl(v1, 17);
  v1 ^= v2;
  v2 = std::rotl(v2, 32);
}

}  // namespace

SipHasher::SipHasher(const SipKey& key)
    : v0_(key[0] ^ 0x736f6d6570736575ULL),
      v1_(key[1] ^ 0x646f72616e646f6dULL),
      v2_(key[0] ^ 0x6c7967656e657261ULL),
      v3_(key[1] ^ 0x7465646279746573ULL) {}

void SipHasher::Compress(uint64_t m) {
  v3_ ^= m;
  Round(v0_, v1_, v2_, v3_);
  Round(v0_, v1_, v2_, v3_);
  v0_ ^= m;
}

void SipHasher::Update(std::string_view bytes) {
  if constexpr (std::endian::native != std::endian::little) {
    for (char c : bytes) Push(c);
    return;
  }
  // Whole words straight from the input, shifted in after the pending bytes.
  size_t pending = total_ % 8;
  while (bytes.size() >= 8) {
    uint64_t w = 0;
    std::memcpy(&w, bytes.data(), 8);
    if (pending == 0) {
      Compress(w);
    } else {
      Compress(tail_ | (w << (8 * pending)));
      tail_ = w >> (64 - 8 * pending);
    }
    total_ += 8;
    bytes.remove_prefix(8);
  }
  for (char c : bytes) Push(c);
}

void SipHasher::Push(char c) {
  size_t shift = (total_ % 8) * 8;
  tail_ |= static_cast<uint64_t>(static_cast<unsigned char>(c)) << shift;
  ++total_;
  if (total_ % 8 == 0) {
    Compress(tail_);
    tail_ = 0;
  }
}

void SipHasher::Word(uint64_t value) {
  if (total_ % 8 == 0) {  // aligned: one compression, no byte loop
    Compress(value);
    total_ += 8;
    return;
  }
  std::array<char, 8> b{};
  for (size_t i = 0; i < 8; ++i) b[i] = static_cast<char>((value >> (8 * i)) & 0xff);
  Update(std::string_view(b.data(), b.size()));
}

void SipHasher::Field(std::string_view bytes) {
  Word(bytes.size());
  Update(bytes);
}

uint64_t SipHasher::Finish() const {
  uint64_t v0 = v0_, v1 = v1_, v2 = v2_, v3 = v3_;
  uint64_t m = tail_ | (static_cast<uint64_t>(total_ & 0xff) << 56);
  v3 ^= m;
  Round(v0, v1, v2, v3);
  Round(v0, v1, v2, v3);
  v0 ^= m;
  v2 ^= 0xff;
  for (int i = 0; i < 4; ++i) Round(v0, v1, v2, v3);
  return v0 ^ v1 ^ v2 ^ v3;
}

void PutHex64(uint64_t value, char* out) {
  constexpr std::string_view kDigits = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    out[i] = kDigits[value & 0xf];
    value >>= 4;
  }
}

}  // namespace sipguard::forward
