// The references for bench_startup: the least a Qt Widgets program does to show a main window,
// and with --text the least a window that shows any text does (one menu, one label), since the
// first text measured loads fontconfig's configuration and a font.
#include <QApplication>
#include <QLabel>
#include <QMainWindow>
#include <QMenuBar>
#include <QTimer>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QMainWindow window;
    if (QCoreApplication::arguments().contains(QStringLiteral("--text"))) {
        window.menuBar()->addMenu(QStringLiteral("&File"));
        window.setCentralWidget(new QLabel(QStringLiteral("RAE Deploy")));
    }
    window.resize(1200, 800);
    window.show();
    QTimer::singleShot(0, &app, &QCoreApplication::quit);
    return app.exec();
}
