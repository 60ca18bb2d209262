#include "validatecommand.h"

#include "plan/planreader.h"
#include "validation/validator.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace rae::cli {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::cli::Validate)
};

QJsonObject findingToJson(const validation::Finding &finding)
{
    QJsonObject object{
        {QStringLiteral("rule"), finding.ruleId},
        {QStringLiteral("severity"), validation::severityName(finding.severity)},
        {QStringLiteral("subject"),
         QJsonObject{{QStringLiteral("kind"), validation::subjectKindName(finding.subject.kind)},
                     {QStringLiteral("name"), finding.subject.name}}},
        {QStringLiteral("message"), finding.message},
        {QStringLiteral("hint"), finding.hint},
    };
    if (finding.pos.isValid()) {
        object.insert(QStringLiteral("line"), finding.pos.line);
        object.insert(QStringLiteral("column"), finding.pos.column);
    }
    return object;
}

QJsonObject problemToJson(const plan::ReadProblem &problem)
{
    return QJsonObject{
        {QStringLiteral("file"), problem.file},       {QStringLiteral("line"), problem.line},
        {QStringLiteral("column"), problem.column},   {QStringLiteral("key"), problem.keyPath},
        {QStringLiteral("message"), problem.message}, {QStringLiteral("hint"), problem.hint}};
}

void printText(const QString &path, const QList<validation::Finding> &findings, QTextStream &out)
{
    using validation::Severity;
    int counts[3] = {0, 0, 0};
    for (const auto &finding : findings)
        ++counts[int(finding.severity)];
    out << Tr::tr("%1: %n error(s), ", nullptr, counts[0]).arg(path)
        << Tr::tr("%n warning(s), ", nullptr, counts[1]) << Tr::tr("%n note(s)", nullptr, counts[2])
        << '\n';

    const std::pair<Severity, QString> groups[] = {{Severity::Error, Tr::tr("Errors")},
                                                   {Severity::Warning, Tr::tr("Warnings")},
                                                   {Severity::Info, Tr::tr("Notes")}};
    for (const auto &[severity, title] : groups) {
        if (counts[int(severity)] == 0)
            continue;
        out << '\n' << title << '\n';
        for (const auto &finding : findings) {
            if (finding.severity != severity)
                continue;
            out << "  [" << finding.ruleId << "] " << validation::subjectText(finding.subject);
            if (finding.pos.isValid())
                out << " (" << path << ':' << finding.pos.line << ':' << finding.pos.column << ')';
            out << "\n    " << finding.message << '\n';
            if (!finding.hint.isEmpty())
                out << "    " << Tr::tr("hint: %1").arg(finding.hint) << '\n';
        }
    }
}

} // namespace

int runValidateCommand(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(Tr::tr("Check a deployment plan and print what is wrong."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("plan"), Tr::tr("The plan file (YAML)."));
    const QCommandLineOption format(QStringLiteral("format"), Tr::tr("Output: text or json."),
                                    QStringLiteral("format"), QStringLiteral("text"));
    const QCommandLineOption rulesOption(QStringLiteral("rules"),
                                         Tr::tr("List the rules and stop."));
    parser.addOption(format);
    parser.addOption(rulesOption);
    if (!parser.parse(QStringList{QStringLiteral("validate")} + arguments)) {
        err << parser.errorText() << '\n'
            << Tr::tr("usage: rae-deploy-cli validate PLAN [--format text|json]") << '\n';
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out << parser.helpText();
        return 0;
    }
    if (parser.isSet(rulesOption)) {
        for (const auto &rule : validation::rules())
            out << rule.id << "  " << rule.summary << '\n';
        return 0;
    }
    const QString outputFormat = parser.value(format);
    if (outputFormat != QLatin1String("text") && outputFormat != QLatin1String("json")) {
        err << Tr::tr("unknown format “%1”: write text or json").arg(outputFormat) << '\n';
        return 2;
    }
    if (parser.positionalArguments().size() != 1) {
        err << Tr::tr("name one plan file: rae-deploy-cli validate PLAN [--format text|json]")
            << '\n';
        return 2;
    }

    const QString path = parser.positionalArguments().constFirst();
    const auto plan = plan::readPlanFile(path);
    if (!plan) {
        if (outputFormat == QLatin1String("json")) {
            QJsonArray problems;
            for (const auto &problem : plan.error().problems)
                problems.append(problemToJson(problem));
            out << QJsonDocument(QJsonObject{{QStringLiteral("plan"), path},
                                             {QStringLiteral("readable"), false},
                                             {QStringLiteral("problems"), problems}})
                       .toJson();
        } else {
            err << Tr::tr("%1: the plan cannot be read").arg(path) << '\n'
                << plan.error().toString() << '\n';
        }
        return 2;
    }

    const QList<validation::Finding> findings = validation::validate(*plan);
    const bool hasErrors =
        std::any_of(findings.cbegin(), findings.cend(), [](const validation::Finding &finding) {
            return finding.severity == validation::Severity::Error;
        });
    if (outputFormat == QLatin1String("json")) {
        QJsonArray array;
        for (const auto &finding : findings)
            array.append(findingToJson(finding));
        out << QJsonDocument(QJsonObject{{QStringLiteral("plan"), path},
                                         {QStringLiteral("readable"), true},
                                         {QStringLiteral("valid"), !hasErrors},
                                         {QStringLiteral("findings"), array}})
                   .toJson();
    } else {
        printText(path, findings, out);
    }
    return hasErrors ? 1 : 0;
}

} // namespace rae::cli
