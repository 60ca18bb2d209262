#include "cluster/tasklog.h"

#include "proxmox/lenient.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>

namespace rae::cluster {

namespace lenient = rae::proxmox::lenient;

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(rae::cluster::ClusterTask)
};

} // namespace

bool ClusterTask::running() const
{
    return endTime == 0 &&
           (status.isEmpty() || status.compare(QLatin1String("running"), Qt::CaseInsensitive) == 0);
}

bool ClusterTask::failed() const
{
    if (running())
        return false;
    return status != QLatin1String("OK") && !status.startsWith(QLatin1String("WARNINGS"));
}

Result<QList<ClusterTask>> parseClusterTasks(const QJsonValue &data)
{
    if (!data.isArray())
        return Error{Tr::tr("the task list is not a list"), {}, {}};
    QList<ClusterTask> tasks;
    for (const QJsonValue &value : data.toArray()) {
        const QJsonObject object = value.toObject();
        ClusterTask task;
        task.upid = lenient::toString(object.value(QLatin1String("upid")));
        if (task.upid.isEmpty())
            return Error{Tr::tr("a task without a UPID"), {}, {}};
        task.node = lenient::toString(object.value(QLatin1String("node")));
        task.type = lenient::toString(object.value(QLatin1String("type")));
        task.id = lenient::toString(object.value(QLatin1String("id")));
        task.user = lenient::toString(object.value(QLatin1String("user")));
        task.startTime = lenient::toInt(object.value(QLatin1String("starttime"))).value_or(0);
        task.endTime = lenient::toInt(object.value(QLatin1String("endtime"))).value_or(0);
        task.status = lenient::toString(object.value(QLatin1String("status")));
        // An entry of the file-based list may lack some fields; the UPID has them all.
        const QStringList fields = task.upid.split(QLatin1Char(':'));
        if (fields.size() >= 8 && fields.at(0) == QLatin1String("UPID")) {
            if (task.node.isEmpty())
                task.node = fields.at(1);
            if (task.startTime == 0)
                task.startTime = fields.at(4).toLongLong(nullptr, 16);
            if (task.type.isEmpty())
                task.type = fields.at(5);
            if (task.id.isEmpty())
                task.id = fields.at(6);
            if (task.user.isEmpty())
                task.user = fields.at(7);
        }
        tasks.append(std::move(task));
    }
    return tasks;
}

} // namespace rae::cluster
