"""Every read model GymGenius keeps, and the metadata of all their tables."""

from __future__ import annotations

from projections import assignments, schema
from projections.conversations import ConversationsModel
from projections.inboxes import InboxesModel
from projections.messages import MessagesModel
from projections.model import ReadModel
from projections.notifications import NotificationsModel
from projections.payments import PaymentsModel
from projections.plans import PlansModel
from projections.progress import ProgressModel
from projections.reconciliations import ReconciliationsModel
from projections.relationships import RelationshipsModel
from projections.subscriptions import SubscriptionsModel
from projections.users import UsersModel
from projections.workout_sessions import WorkoutSessionsModel

metadata = schema.metadata
_ = assignments


def read_models() -> list[ReadModel]:
    return [WorkoutSessionsModel(), PaymentsModel(), PlansModel(), SubscriptionsModel(),
            ReconciliationsModel(), RelationshipsModel(), UsersModel(),
            NotificationsModel(), InboxesModel(), ProgressModel(), ConversationsModel(),
            MessagesModel()]
