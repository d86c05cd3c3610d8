// Process hardening for client programs, which hold private keys and
// plaintext in memory: no core dumps, no ptrace by other processes of the
// same user (PR_SET_DUMPABLE 0).
#pragma once

namespace shuttle::client {

// Call first thing in main(). Returns false if a step failed (the program
// may go on; the caller decides whether to warn).
bool harden_process();

}  // namespace shuttle::client
