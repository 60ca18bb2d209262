#include "childprocess.h"

#include <QProcess>

#ifdef Q_OS_LINUX
#include <csignal>
#include <sys/prctl.h>
#include <unistd.h>
#endif

namespace rae {

void stopWithParent(QProcess &process)
{
#ifdef Q_OS_LINUX
    const pid_t parent = ::getpid();
    // Runs in the child between fork and exec: async-signal-safe calls only.
    process.setChildProcessModifier([parent] {
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        // The parent may have died before the line above took effect.
        if (::getppid() != parent)
            ::raise(SIGTERM);
    });
#else
    Q_UNUSED(process)
#endif
}

} // namespace rae
