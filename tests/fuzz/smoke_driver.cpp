// A libFuzzer-compatible driver for g++ builds: feeds LLVMFuzzerTestOneInput a fixed-seed
// mix of random buffers and mutations of earlier inputs, a bounded number of times, so every
// fuzz target runs in ctest. Real coverage-guided fuzzing uses clang (PGFRONT_LIBFUZZER).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
    const long iterations = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 100000;
    std::mt19937_64 rng(20261122);
    std::vector<std::uint8_t> input;
    for (long i = 0; i < iterations; ++i) {
        const auto choice = rng() % 4;
        if (choice == 0 || input.empty()) {
            input.resize(rng() % 512);
            for (auto& b : input) b = static_cast<std::uint8_t>(rng());
        } else if (choice == 1) {
            input[rng() % input.size()] = static_cast<std::uint8_t>(rng());
        } else if (choice == 2) {
            input.resize(rng() % (input.size() + 1));
        } else {
            // Small integers at random offsets reach length and count fields.
            const auto at = rng() % input.size();
            input[at] = static_cast<std::uint8_t>(rng() % 8);
        }
        LLVMFuzzerTestOneInput(input.data(), input.size());
    }
    return 0;
}
