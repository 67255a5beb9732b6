# Resolves PGFRONT_IO_BACKEND (AUTO | io_uring | epoll) into PGFRONT_IO_BACKEND_RESOLVED.
#
# AUTO is epoll. Asio 1.81's io_uring backend (Debian 12's Boost) is not safe for a proxy: a
# socket closed while a read is in flight gives its queued read to the next socket made, which
# usually gets the same descriptor number, so the dead socket's read takes the new socket's
# bytes and the new socket's own reads never complete (tests/unit/net/closed_socket_test.cpp
# shows it). pgfront closes sockets with reads in flight whenever a node loses its role, a
# login deadline passes or an operator kills a client: under load that meant server logins
# that hung, a client stream read out of step and heap corruption.
#
# io_uring can still be asked for by name, for measuring a fixed Asio; the unit test above
# fails with it.
if(PGFRONT_IO_BACKEND STREQUAL "io_uring")
  if(NOT URING_FOUND)
    message(FATAL_ERROR "PGFRONT_IO_BACKEND=io_uring but liburing-dev is not installed")
  endif()
  message(WARNING "PGFRONT_IO_BACKEND=io_uring: Asio ${Boost_VERSION}'s io_uring backend lets a closed "
                  "socket's pending read take the next socket's data (see cmake/IoBackend.cmake). "
                  "Do not ship this build.")
  set(PGFRONT_IO_BACKEND_RESOLVED io_uring)
else()
  set(PGFRONT_IO_BACKEND_RESOLVED epoll)
endif()
