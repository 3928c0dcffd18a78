// The operator portal: the region's facilities and their edges, people and their roles,
// certificates, the service gateway's services and its permission matrix, the patient-index
// review queue, break-glass reviews and the audit trail.
//
//   #/op/edges  #/op/users  #/op/certificates  #/op/services[/ID]  #/op/matrix?…
//   #/op/reviews[/ID]  #/op/breakglass  #/op/audit?…

import {t} from '../i18n.js';
import {renderEdges} from './edges.js';
import {renderUsers} from './users.js';
import {renderCertificates} from './certificates.js';
import {renderReviews, renderReview} from './reviews.js';
import {renderBreakGlass} from './breakglass.js';
import {renderAudit} from './audit.js';
import {renderServices, renderService} from './services.js';
import {renderMatrix} from './matrix.js';

const SECTIONS = ['edges', 'users', 'certificates', 'services', 'matrix', 'reviews', 'breakglass', 'audit'];

export default {
  title: () => t('portal.operator'),
  nav: () => SECTIONS.map((id) => ({id: `op/${id}`, href: `#/op/${id}`, label: t(`op.nav_${id}`)})),
  home: () => '#/op/edges',
  routes(router, ctx) {
    const page = (id, fn) => (params, query) => {
      ctx.setCurrentNav(`op/${id}`);
      fn(ctx, params, query);
    };
    router.add('/op/edges', page('edges', renderEdges));
    router.add('/op/users', page('users', renderUsers));
    router.add('/op/certificates', page('certificates', renderCertificates));
    router.add('/op/services', page('services', renderServices));
    router.add('/op/services/:id', page('services', renderService));
    router.add('/op/matrix', page('matrix', renderMatrix));
    router.add('/op/reviews', page('reviews', renderReviews));
    router.add('/op/reviews/:id', page('reviews', renderReview));
    router.add('/op/breakglass', page('breakglass', renderBreakGlass));
    router.add('/op/audit', page('audit', renderAudit));
  },
};
