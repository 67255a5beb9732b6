# Resolves PGFRONT_IO_BACKEND (AUTO | io_uring | epoll) into PGFRONT_IO_BACKEND_RESOLVED.
# AUTO runs a tiny program that opens an io_uring: containers and hardened kernels often
# forbid it (kernel.io_uring_disabled, seccomp), and Asio would then fail at start-up.
if(PGFRONT_IO_BACKEND STREQUAL "epoll")
  set(PGFRONT_IO_BACKEND_RESOLVED epoll)
elseif(NOT URING_FOUND)
  if(PGFRONT_IO_BACKEND STREQUAL "io_uring")
    message(FATAL_ERROR "PGFRONT_IO_BACKEND=io_uring but liburing-dev is not installed")
  endif()
  set(PGFRONT_IO_BACKEND_RESOLVED epoll)
elseif(PGFRONT_IO_BACKEND STREQUAL "io_uring")
  set(PGFRONT_IO_BACKEND_RESOLVED io_uring)
else()
  set(_probe ${CMAKE_BINARY_DIR}/io_uring_probe.cpp)
  file(WRITE ${_probe} "#include <liburing.h>\nint main(){io_uring r; if(io_uring_queue_init(4,&r,0)<0) return 1; io_uring_queue_exit(&r); return 0;}\n")
  try_run(_run_result _compile_result ${CMAKE_BINARY_DIR}/io_uring_probe SOURCES ${_probe}
          LINK_LIBRARIES PkgConfig::URING)
  if(_compile_result AND _run_result EQUAL 0)
    set(PGFRONT_IO_BACKEND_RESOLVED io_uring)
  else()
    set(PGFRONT_IO_BACKEND_RESOLVED epoll)
  endif()
endif()
