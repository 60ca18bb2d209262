#pragma once

class QProcess;

namespace rae {

// Makes a child process end with this one: on Linux the kernel sends it SIGTERM when the
// process that started it dies, however it dies (a crash, SIGKILL, a lost X connection), so a
// demo's simulator, PostgreSQL or Redis never outlive the program that started them. Call
// before QProcess::start(). Elsewhere it does nothing.
void stopWithParent(QProcess &process);

} // namespace rae
