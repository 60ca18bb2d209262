#pragma once

class QProcess;

namespace rae {

// The user a child process runs as, when not this process's own.
struct ChildUser
{
    unsigned uid = 0;
    unsigned gid = 0;
};

// Makes a child process end with this one: on Linux the kernel sends it SIGTERM when the thread
// that started it ends, however it ends (a crash, SIGKILL, a lost X connection), so a demo's
// simulator, PostgreSQL or Redis never outlive the program that started them. Start children
// from the main thread. With `user`, the child first drops to that user and its primary group
// (as root only; the death signal is set after, since a change of credentials clears it).
// Call before QProcess::start(). Elsewhere than Linux it does nothing.
void stopWithParent(QProcess &process, const ChildUser *user = nullptr);

} // namespace rae
