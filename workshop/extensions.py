"""Flask extension singletons, bound to the app in ``workshop.app.create_app``.

The app's own working parts (broadcaster, input writer, rate limits) are extensions too, in
``workshop.runtime``: they import these, so they cannot live here.
"""

from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_login import LoginManager
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)

# Models subclass ``Model``: at run time Flask-SQLAlchemy's ``db.Model`` (built from ``Base``, with
# table names and binds); type checkers cannot follow that dynamic class, so they see ``Base``.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model

socketio = SocketIO()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
