// Start-up to the first shown window: rae-deploy --quit-when-shown against a bare QMainWindow
// program, both on the offscreen platform, each started 15 times; prints medians and the ratio.
// The bare window with one menu and one label is printed beside it: what text alone costs.
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>

namespace {

double medianMs(const QString &program, const QStringList &arguments, const QString &home)
{
    QList<double> runs;
    for (int i = 0; i < 15; ++i) {
        QProcess process;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        environment.insert(QStringLiteral("XDG_CONFIG_HOME"), home); // no user settings
        environment.insert(QStringLiteral("XDG_DATA_HOME"), home);
        process.setProcessEnvironment(environment);
        QElapsedTimer timer;
        timer.start();
        process.start(program, arguments);
        // A benchmark's own main thread may wait: it has no window.
        if (!process.waitForFinished(30000) || process.exitCode() != 0) {
            std::fprintf(stderr, "%s failed\n", qPrintable(program));
            return -1;
        }
        runs.append(double(timer.nsecsElapsed()) / 1e6);
    }
    std::sort(runs.begin(), runs.end());
    return runs.at(runs.size() / 2);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
#ifdef RAE_DEPLOY_EXE
    QTemporaryDir home;
    const double bare = medianMs(QStringLiteral(BARE_EXE), {}, home.path());
    const double text = medianMs(QStringLiteral(BARE_EXE), {QStringLiteral("--text")}, home.path());
    const double ours = medianMs(QStringLiteral(RAE_DEPLOY_EXE),
                                 {QStringLiteral("--quit-when-shown")}, home.path());
    std::printf("start-up to first shown window (median of 15, offscreen)\n");
    std::printf("  bare QMainWindow:             %8.1f ms\n", bare);
    std::printf("  with one menu and one label:  %8.1f ms (%.2f of bare)\n", text, text / bare);
    std::printf("  rae-deploy:                   %8.1f ms\n", ours);
    std::printf("  ratio:                        %8.2f (target <= 1.30)\n", ours / bare);
    return 0;
#else
    std::fprintf(stderr, "built without rae-deploy\n");
    return 1;
#endif
}
