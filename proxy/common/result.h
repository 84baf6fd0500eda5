// Result<T>: a value or an error, the error-handling currency of sipguard.
//
// Errors are values (LevelDB's Status, systemd's negative errno): library code
// returns a Result and never throws across C callbacks or on hot paths, and it
// never logs; the caller (ultimately main) decides what to print. An Error
// carries a human message that names the thing that failed ("proxy.conf:12:
// unknown key 'lisen'") and, where it came from the OS, the errno.
//
// A rejected SIP message is NOT an error: the validator returns a Verdict.
//
// Thread-safety: plain values; as safe as the T they hold.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace sipguard {

class Error {
 public:
  explicit Error(std::string message, int sys_errno = 0)
      : message_(std::move(message)), errno_(sys_errno) {}

  const std::string& message() const { return message_; }
  // The errno that caused it, or 0 when the failure was not an OS call's.
  int sys_errno() const { return errno_; }

 private:
  std::string message_;
  int errno_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // Precondition: ok(). Checked in debug builds.
  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // Precondition: !ok().
  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }

 private:
  Error error_{""};
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace sipguard
