#include "scriptscommand.h"

#include "deploy/scriptexport.h"
#include "plan/planreader.h"

#include <QCommandLineParser>
#include <QCoreApplication>

namespace rae::cli {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::cli::Scripts)
};

} // namespace

int runScriptsCommand(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        Tr::tr("Shows or exports what an apply would run on each VM: its provisioning script and, "
               "for an API VM, its .env with the passwords masked. Addresses are the plan's "
               "planned ones."));
    parser.addPositionalArgument(QStringLiteral("plan"), Tr::tr("The plan file."));
    const QCommandLineOption vmOption(QStringLiteral("vm"), Tr::tr("Only this VM."),
                                      Tr::tr("NAME"));
    const QCommandLineOption outOption(
        QStringLiteral("out"),
        Tr::tr("Write <vm>.sh and <vm>.env into this folder (created when missing) instead of "
               "printing them."),
        Tr::tr("DIR"));
    parser.addOptions({vmOption, outOption});
    parser.addHelpOption();
    if (!parser.parse(QStringList{QStringLiteral("scripts")} + arguments)) {
        err << parser.errorText() << '\n';
        return 1;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out << parser.helpText();
        return 0;
    }
    if (parser.positionalArguments().size() != 1) {
        err << Tr::tr("scripts: give exactly one plan file") << '\n';
        return 1;
    }

    const auto read = plan::readPlanFile(parser.positionalArguments().first());
    if (!read) {
        err << read.error().toString() << '\n';
        return 2;
    }
    const plan::Plan &plan = read.value();

    const QString onlyVm = parser.value(vmOption);
    const auto vms = deploy::scriptVms(plan, onlyVm);
    if (!vms) {
        err << Tr::tr("scripts: %1").arg(vms.error().toString()) << '\n';
        return 1;
    }

    if (parser.isSet(outOption)) {
        QStringList written;
        const Status status =
            deploy::exportScripts(plan, parser.value(outOption), onlyVm, &written);
        for (const QString &path : std::as_const(written))
            out << Tr::tr("Wrote %1").arg(path) << '\n';
        if (!status) {
            err << status.error().toString() << '\n';
            return 3;
        }
        return 0;
    }

    bool first = true;
    for (const plan::Vm *vm : vms.value()) {
        for (const deploy::ScriptFile &file : deploy::scriptFiles(plan, *vm)) {
            if (!first)
                out << '\n';
            first = false;
            out << deploy::scriptHeading(*vm, file.guestPath) << '\n';
            out << QString::fromUtf8(file.content);
        }
    }
    return 0;
}

} // namespace rae::cli
