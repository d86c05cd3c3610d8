// `shuttle watch`: events as they happen.
#include "client-lib/cli/cli.hpp"

#include <boost/json.hpp>
#include <boost/program_options.hpp>

#include <atomic>
#include <csignal>
#include <iostream>

namespace shuttle::cli {
namespace {

std::atomic<bool> interrupted{false};

int cmd_watch(int argc, char** argv) {
  common c;
  po::options_description d("shuttle watch: print events as they happen (Ctrl-C stops)");
  add_common(d, c);
  if (!parse(argc, argv, d)) return 0;
  auto a = open_account(c);
  std::signal(SIGINT, [](int) { interrupted = true; });
  std::signal(SIGTERM, [](int) { interrupted = true; });
  if (!c.as_json) std::cerr << "Watching for events; Ctrl-C stops.\n";
  need(a.watch(
      [&](const event& e) {
        if (c.as_json) {
          json::object o{{"seq", e.seq}, {"event", e.kind}, {"case", b64(e.case_id)}, {"at", e.at}};
          if (e.message) o["message"] = b64(*e.message);
          print_json(o);
        } else {
          std::cout << when(e.at) << "  case " << short_id(e.case_id) << "  " << e.kind
                    << (e.message ? " " + short_id(*e.message) : "") << "\n";
        }
        std::cout.flush();
      },
      [] { return !interrupted.load(); }));
  return 0;
}

const registered these{
    {"watch", "Live", "print events as they happen", cmd_watch},
};

}  // namespace
}  // namespace shuttle::cli
