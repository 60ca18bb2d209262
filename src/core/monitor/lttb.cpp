#include "monitor/lttb.h"

#include <cmath>

namespace rae::monitor {

QList<QPointF> lttb(const QList<QPointF> &points, qsizetype threshold)
{
    const qsizetype count = points.size();
    if (threshold < 3 || count <= threshold)
        return points;

    QList<QPointF> out;
    out.reserve(threshold);
    out.append(points.first());

    // The inner points fall into threshold - 2 buckets of equal count.
    const double bucketSize = double(count - 2) / double(threshold - 2);
    qsizetype chosen = 0;
    for (qsizetype bucket = 0; bucket < threshold - 2; ++bucket) {
        const qsizetype begin = qsizetype(double(bucket) * bucketSize) + 1;
        const qsizetype end = std::min(qsizetype(double(bucket + 1) * bucketSize) + 1, count - 1);

        // The third corner is the average of the next bucket (the last point for the last one).
        const qsizetype nextBegin = end;
        const qsizetype nextEnd =
            std::min(qsizetype(double(bucket + 2) * bucketSize) + 1, count - 1);
        double averageX = 0.0;
        double averageY = 0.0;
        qsizetype averaged = 0;
        for (qsizetype i = nextBegin; i < std::max(nextEnd, nextBegin + 1); ++i) {
            if (std::isnan(points.at(i).y()))
                continue;
            averageX += points.at(i).x();
            averageY += points.at(i).y();
            ++averaged;
        }
        if (averaged > 0) {
            averageX /= double(averaged);
            averageY /= double(averaged);
        } else {
            averageX = points.at(nextBegin).x();
            averageY = points.at(chosen).y();
        }

        const QPointF anchor = points.at(chosen);
        double largestArea = -1.0;
        qsizetype best = begin;
        for (qsizetype i = begin; i < end; ++i) {
            const QPointF candidate = points.at(i);
            // Twice the triangle's area; the factor does not change which is largest.
            const double area = std::abs((anchor.x() - averageX) * (candidate.y() - anchor.y()) -
                                         (anchor.x() - candidate.x()) * (averageY - anchor.y()));
            if (!std::isnan(area) && area > largestArea) {
                largestArea = area;
                best = i;
            }
        }
        out.append(points.at(best));
        chosen = best;
    }

    out.append(points.last());
    return out;
}

} // namespace rae::monitor
