// shuttle-vectors: writes proto/vectors/ from fixed seeds.
//
//   shuttle-vectors --out proto/vectors
//
// The vector tests run the same generator and compare with the files, so a
// change to any construction shows up as a test failure until the vectors
// are regenerated and the change is reviewed in the diff.
#include "tests/vectors/vectors.hpp"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

int main(int argc, char** argv) {
  if (argc != 3 || std::strcmp(argv[1], "--out") != 0) {
    std::cerr << "usage: shuttle-vectors --out DIR\n";
    return 2;
  }
  const std::filesystem::path dir = argv[2];
  std::filesystem::create_directories(dir);
  for (const auto& [name, text] : shuttle::vectors::make_vectors()) {
    std::ofstream(dir / name, std::ios::binary) << text;
    std::cout << "wrote " << (dir / name).string() << "\n";
  }
  return 0;
}
