#include "applicationservices.h"
#include "common/translations.h"
#include "mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QSettings>
#include <QStandardPaths>
#include <QTimer>

#include <cstdio>
#include <memory>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("rae-deploy"));
    QApplication::setOrganizationName(QStringLiteral("RAE Deploy"));
    QApplication::setApplicationVersion(QStringLiteral(RAE_VERSION));
    QApplication::setApplicationDisplayName(QStringLiteral("RAE Deploy"));
    QApplication::setDesktopFileName(QStringLiteral("rae-deploy"));
    rae::installTranslations();

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QApplication::translate("main", "Plan, deploy and watch RAE on Proxmox VE."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption demo(
        QStringLiteral("demo"),
        QApplication::translate("main", "Start the simulator, open the reference plan and "
                                        "connect to it."));
    const QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QApplication::translate("main", "Save a picture of the window to FILE and quit."),
        QStringLiteral("file"));
    const QCommandLineOption screenshotDelay(
        QStringLiteral("screenshot-delay"),
        QApplication::translate("main", "Wait this long before --screenshot (ms)."),
        QStringLiteral("ms"), QStringLiteral("3000"));
    const QCommandLineOption quitWhenShown(
        QStringLiteral("quit-when-shown"),
        QApplication::translate("main", "Quit once the window is shown (start-up benchmark)."));
    const QCommandLineOption live(QStringLiteral("live"),
                                  QApplication::translate("main", "Start in live mode."));
    const QCommandLineOption deploy(
        QStringLiteral("deploy"),
        QApplication::translate("main", "Open the Deploy dialog once the cluster is connected "
                                        "(with --demo: the reference plan to the simulator)."));
    parser.addOptions({demo, live, deploy, screenshot, screenshotDelay, quitWhenShown});
    parser.addPositionalArgument(QStringLiteral("plan"),
                                 QApplication::translate("main", "A plan to open."),
                                 QStringLiteral("[plan]"));
    parser.process(app);

    const QString recoveryDir =
        QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
            .filePath(QStringLiteral("recovery"));
    // One settings file with rae-deploy-cli, so clusters added on either side show on both.
    rae::gui::ApplicationServices services(
        std::make_unique<QSettings>(QSettings::NativeFormat, QSettings::UserScope,
                                    QStringLiteral("rae-deploy"), QStringLiteral("rae-deploy")),
        recoveryDir);
    rae::gui::MainWindow window(&services);
    window.show();

    if (parser.isSet(quitWhenShown)) {
        QTimer::singleShot(0, &app, &QCoreApplication::quit);
        return app.exec();
    }

    window.offerRecovery();
    if (parser.isSet(deploy))
        window.deployWhenConnected();
    if (parser.isSet(demo))
        window.startDemo();
    else if (!parser.positionalArguments().isEmpty())
        window.openPlan(parser.positionalArguments().constFirst());

    if (parser.isSet(live))
        window.setMode(rae::gui::MainWindow::Mode::Live);

    if (parser.isSet(screenshot)) {
        const QString file = parser.value(screenshot);
        QTimer::singleShot(parser.value(screenshotDelay).toInt(), &window, [&window, file] {
            // A dialog in front (--deploy) is what the picture is of.
            QWidget *target = &window;
            for (QWidget *widget : QApplication::topLevelWidgets()) {
                if (widget != &window && widget->isVisible() && widget->inherits("QDialog"))
                    target = widget;
            }
            const bool saved = target->grab().save(file);
            std::fprintf(saved ? stdout : stderr, "%s %s\n", saved ? "saved" : "could not save",
                         qPrintable(file));
            QCoreApplication::exit(saved ? 0 : 1);
        });
    }
    return app.exec();
}
