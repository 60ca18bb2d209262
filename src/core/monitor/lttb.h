#pragma once

#include <QList>
#include <QPointF>

#include <algorithm>
#include <cmath>

namespace rae::monitor {

// Largest-triangle-three-buckets: keeps `threshold` of `count` points (sorted by x) so that a
// line drawn through them looks like the line through all of them. The first and last points
// are always kept. With no more points than `threshold`, or a threshold below 3, every point
// comes back. NaN values (gaps) are never chosen while a bucket holds anything else.
//
// `pointAt(i)` returns point i as a QPointF, so that a store can be thinned where it lies
// instead of being copied out first.
template<typename PointAt>
QList<QPointF> lttbWith(qsizetype count, qsizetype threshold, PointAt pointAt)
{
    QList<QPointF> out;
    if (threshold < 3 || count <= threshold) {
        out.reserve(count);
        for (qsizetype i = 0; i < count; ++i)
            out.append(pointAt(i));
        return out;
    }

    out.reserve(threshold);
    QPointF anchor = pointAt(0);
    out.append(anchor);

    // The inner points fall into threshold - 2 buckets of equal count.
    const double bucketSize = double(count - 2) / double(threshold - 2);
    for (qsizetype bucket = 0; bucket < threshold - 2; ++bucket) {
        const qsizetype begin = qsizetype(double(bucket) * bucketSize) + 1;
        const qsizetype end = std::min(qsizetype(double(bucket + 1) * bucketSize) + 1, count - 1);

        // The third corner is the average of the next bucket (the last point for the last one).
        const qsizetype nextEnd =
            std::max(std::min(qsizetype(double(bucket + 2) * bucketSize) + 1, count), end + 1);
        double averageX = 0.0;
        double averageY = 0.0;
        qsizetype averaged = 0;
        for (qsizetype i = end; i < nextEnd; ++i) {
            const QPointF point = pointAt(i);
            if (std::isnan(point.y()))
                continue;
            averageX += point.x();
            averageY += point.y();
            ++averaged;
        }
        if (averaged > 0) {
            averageX /= double(averaged);
            averageY /= double(averaged);
        } else {
            averageX = pointAt(end).x();
            averageY = anchor.y();
        }

        double largestArea = -1.0;
        QPointF best = pointAt(begin);
        for (qsizetype i = begin; i < end; ++i) {
            const QPointF candidate = pointAt(i);
            // Twice the triangle's area; the factor does not change which is largest.
            const double area = std::abs((anchor.x() - averageX) * (candidate.y() - anchor.y()) -
                                         (anchor.x() - candidate.x()) * (averageY - anchor.y()));
            if (area > largestArea) { // false for NaN
                largestArea = area;
                best = candidate;
            }
        }
        out.append(best);
        anchor = best;
    }

    out.append(pointAt(count - 1));
    return out;
}

QList<QPointF> lttb(const QList<QPointF> &points, qsizetype threshold);

} // namespace rae::monitor
