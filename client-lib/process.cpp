#include "client-lib/process.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>

namespace shuttle::client {

bool harden_process() {
  const rlimit no_core{0, 0};
  const bool core_off = ::setrlimit(RLIMIT_CORE, &no_core) == 0;
  const bool undumpable = ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0;
  return core_off && undumpable;
}

}  // namespace shuttle::client
