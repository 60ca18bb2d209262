#include "childprocess.h"

#include <QProcess>

#ifdef Q_OS_LINUX
#include <csignal>
#include <grp.h>
#include <sys/prctl.h>
#include <unistd.h>
#endif

namespace rae {

void stopWithParent(QProcess &process, const ChildUser *user)
{
#ifdef Q_OS_LINUX
    const pid_t parent = ::getpid();
    const bool drop = user != nullptr;
    const uid_t uid = drop ? user->uid : 0;
    const gid_t gid = drop ? user->gid : 0;
    // Runs in the child between fork and exec: async-signal-safe calls only.
    process.setChildProcessModifier([parent, drop, uid, gid] {
        if (drop && (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0))
            ::_exit(126);
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        // The parent may have died before the line above took effect.
        if (::getppid() != parent)
            ::_exit(127);
    });
#else
    Q_UNUSED(process)
    Q_UNUSED(user)
#endif
}

} // namespace rae
