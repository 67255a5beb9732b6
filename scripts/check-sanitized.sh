#!/bin/bash
# Runs every ctest test of a sanitizer build (make check-sanitized) and fails when a test
# failed or any instrumented binary wrote an AddressSanitizer report. ASan reports go to
# files, not to stderr: pgfront's stderr is a log the tests read and then delete, and a
# pgfront that dies in a test's last moments may not fail that test. UBSan findings abort
# the binary (the build uses -fno-sanitize-recover) and print to its stderr.
set -u
build_dir=$(realpath "${1:?usage: check-sanitized.sh BUILD_DIR}")
logs="$build_dir/sanitizer-logs"
rm -rf "$logs"
mkdir -p "$logs"
# detect_leaks=0: pgfront stopped by a test's SIGKILL, or by exit() with coroutines still
# suspended, leaves frames nobody frees; the leak reports would say nothing useful.
export ASAN_OPTIONS="detect_leaks=0:log_path=$logs/asan"
export UBSAN_OPTIONS="print_stacktrace=1"
export PGFRONT_SANITIZED=1  # tests that bound pgfront's memory skip that bound (shadow memory)
(cd "$build_dir" && ctest --output-on-failure --timeout 1800)
tests_rc=$?
reports=$(find "$logs" -type f | sort)
if [ -n "$reports" ]; then
    for report in $reports; do
        echo "=== $report"
        head -c 20000 "$report"
    done
    echo "check-sanitized: sanitizer reports in $logs" >&2
    exit 1
fi
if [ "$tests_rc" -ne 0 ]; then
    echo "check-sanitized: tests failed (no sanitizer report)" >&2
    exit "$tests_rc"
fi
echo "check-sanitized: every test passed, no sanitizer report"
