#include "placecommand.h"

#include "ha/placement.h"
#include "plan/planreader.h"
#include "plan/planwriter.h"

#include <QCommandLineParser>
#include <QCoreApplication>

namespace rae::cli {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::cli::Place)
};

} // namespace

int runPlaceCommand(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        Tr::tr("Searches a placement of the plan's VMs that survives any single node failure with "
               "the lowest load after recovery, keeping GPU mappings, storage, anti-affinity and "
               "capacity."));
    parser.addPositionalArgument(QStringLiteral("plan"), Tr::tr("The plan file."));
    const QCommandLineOption outOption(QStringLiteral("out"),
                                       Tr::tr("Write the plan with the new placement here."),
                                       Tr::tr("NEW_PLAN"));
    parser.addOption(outOption);
    parser.addHelpOption();
    if (!parser.parse(QStringList{QStringLiteral("place")} + arguments)) {
        err << parser.errorText() << '\n';
        return 1;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out << parser.helpText();
        return 0;
    }
    if (parser.positionalArguments().size() != 1) {
        err << Tr::tr("place: give exactly one plan file") << '\n';
        return 1;
    }

    const auto read = plan::readPlanFile(parser.positionalArguments().first());
    if (!read) {
        err << read.error().toString() << '\n';
        return 2;
    }
    const plan::Plan &plan = read.value();

    const ha::PlacementSearch search = ha::searchPlacement(plan);
    out << (search.exhaustive
                ? Tr::tr("Exhaustive search with pruning: %1 complete placements analysed.")
                : Tr::tr("Heuristic search (the space is too large to search exhaustively): %1 "
                         "complete placements analysed."))
               .arg(search.evaluated)
        << '\n';
    for (const QString &line : search.explanation)
        out << line << '\n';
    if (!search.found)
        return 1;

    out << '\n' << Tr::tr("Placement:") << '\n';
    for (const plan::Vm &vm : plan.vms) {
        const QString node = search.nodeOfVm.value(vm.name);
        out << "  " << vm.name << ": " << node;
        if (node != vm.node)
            out << Tr::tr(" (now %1)").arg(vm.node);
        out << '\n';
    }

    if (parser.isSet(outOption)) {
        const plan::Plan placed = ha::withPlacement(plan, search.nodeOfVm);
        const Status written = plan::writePlanFile(parser.value(outOption), placed);
        if (!written) {
            err << written.error().toString() << '\n';
            return 3;
        }
        out << Tr::tr("Wrote %1").arg(parser.value(outOption)) << '\n';
    }
    return 0;
}

} // namespace rae::cli
