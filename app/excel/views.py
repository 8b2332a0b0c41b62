"""Excel roster export, import template and import (花名册), under /candidates/.

Routes: ``export.xlsx``, ``import/template.xlsx``, ``import`` (upload), ``import/<token>``
(preview; POST confirms), ``import/<token>/errors.xlsx``, ``import/<token>/discard``. None of
them can be taken for the roster's ``/<int:candidate_id>`` routes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core import clock
from app.core.db import begin_write
from app.core.forms import EmptyForm
from app.core.idcard import mask_id_number, normalize_id_number
from app.core.scoping import ENTERERS, require_login, role_required
from app.excel import operations
from app.excel.annotate import errors_workbook
from app.excel.columns import BY_HEADER
from app.excel.export import (
    XLSX_MIME,
    export_file_name,
    export_select,
    stream_rows,
    write_roster,
)
from app.excel.forms import UploadForm
from app.excel.importing import Actor, ImportPlan, RowResult, check_sheet
from app.excel.models import ExcelUpload
from app.excel.reading import MAX_ROWS, Sheet, read_sheet
from app.excel.safety import FileRefused
from app.excel.template import build_template
from app.extensions import csrf, db
from app.places.models import Township
from app.places.queries import township_choices, village_choices
from app.roster.queries import RosterFilters

bp = Blueprint("excel", __name__, cli_group=None)
require_login(bp)
TOKEN = re.compile("[A-Za-z0-9_-]{16,64}")
# An oversized upload is read to its end (up to this much) before answering, so the browser
# shows the answer instead of a reset connection; a larger one is answered without reading.
DRAIN_LIMIT = 64 * 1024 * 1024


def _xlsx_response(body, download_name: str):
    response = send_file(
        body, mimetype=XLSX_MIME, as_attachment=True, download_name=download_name, max_age=0
    )
    response.headers["Cache-Control"] = "no-store"  # personal data: never kept by a cache
    return response


# ---- export ------------------------------------------------------------------------------


@bp.get("/export.xlsx")
def export():
    """The roster the user is looking at (same filters and order, every page), as .xlsx."""
    filters = RosterFilters.from_args(request.args)
    full_ids = current_user.is_admin
    out = tempfile.TemporaryFile()
    try:
        count = write_roster(
            out, stream_rows(export_select(current_user, filters)), full_ids=full_ids
        )
        # End the long read first: on SQLite (WAL) a read transaction cannot become a write
        # once another connection has committed meanwhile, which in a long export is likely.
        db.session.rollback()
        begin_write()
        operations.record_export(
            actor=current_user, filters=filters, count=count, full_ids=full_ids
        )
        db.session.commit()
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return _xlsx_response(out, export_file_name(clock.today(), _scope_name(filters)))


def _scope_name(filters: RosterFilters) -> str:
    township_id = current_user.township_id or filters.township
    if township_id is None:
        return "全县"
    return db.session.scalar(select(Township.name).where(Township.id == township_id)) or ""


# ---- template ----------------------------------------------------------------------------


@bp.get("/import/template.xlsx")
@role_required(*ENTERERS)
def template():
    out = io.BytesIO()
    build_template(
        out,
        villages=[(township, village) for _, village, township in village_choices(current_user)],
        township_names=[name for _, name in township_choices(current_user)],
        keeps_status=Actor.of(current_user).keeps_status,
    )
    out.seek(0)
    return _xlsx_response(out, "后备干部花名册导入模板.xlsx")


# ---- import: upload ----------------------------------------------------------------------


def _upload_form() -> UploadForm:
    # Built without the request's data: that is read below, once its size is known to be
    # within the limit (reading it first would answer an oversized upload with a bare 413).
    form = UploadForm(formdata=None)
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    size = f"文件不超过 {limit // (1024 * 1024)} MB，" if limit else ""
    form.file.description = f"请使用本系统的导入模板填写；{size}一次最多 {MAX_ROWS} 行。"
    return form


def _render_upload(form: UploadForm, status: int = 200):
    return render_template("excel/upload.html", form=form, max_rows=MAX_ROWS), status


def _drain_if_too_large() -> bool:
    """True when the request body is over the limit; its body is then read and dropped."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    length = request.content_length
    if not limit or length is None or length <= limit:
        return False
    stream = request.environ.get("wsgi.input")
    remaining = length if length <= DRAIN_LIMIT else 0
    while stream is not None and remaining > 0:
        chunk = stream.read(min(1024 * 1024, remaining))
        if not chunk:
            break
        remaining -= len(chunk)
    return True


# CSRF is checked in the view, once the body is known to be within the size limit: an
# oversized upload gets the upload page with the limit named, not a torn connection.
@csrf.exempt
@bp.route("/import", methods=["GET", "POST"])
@role_required(*ENTERERS)
def upload():
    form = _upload_form()
    if request.method == "GET":
        return _render_upload(form)
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if _drain_if_too_large():
        form.file.errors = [
            f"文件超过了 {limit // (1024 * 1024)} MB 的上限，未上传。请拆分成几个文件分别导入。"
        ]
        return _render_upload(form, 413)
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()  # what CSRFProtect does for every other POST
    file = request.files.get("file")
    if file is None or not file.filename:
        form.file.errors = ["请选择要上传的 .xlsx 花名册文件"]
        return _render_upload(form, 422)
    data = file.read()
    try:
        read_sheet(data, file.filename, max_size=limit)
    except FileRefused as exc:
        form.file.errors = [exc.message]
        return _render_upload(form, 422)
    # The file is read and checked without the write lock (this endpoint reads first, see
    # app.core.db): another township's clerk saving a note never waits for a parse.
    begin_write()
    upload = operations.keep_upload(data, file.filename, user=current_user)
    db.session.commit()
    return redirect(url_for("excel.preview", token=upload.token))


# ---- import: preview, confirm, errors, discard ---------------------------------------------


def _upload(token: str) -> ExcelUpload:
    """The user's own kept upload; another user's, an expired or a made-up token is a 404."""
    upload = operations.find_upload(token, user=current_user) if TOKEN.fullmatch(token) else None
    if upload is None:
        abort(404)
    return upload


def _sheet(upload: ExcelUpload) -> Sheet | None:
    """Read the kept file again (a preview is never trusted); None if unreadable."""
    try:
        return read_sheet(upload.content, upload.file_name)
    except FileRefused as exc:
        flash(exc.message, "danger")
        return None


def _plan(upload: ExcelUpload) -> ImportPlan | None:
    """Read and check the kept file again; None if unreadable."""
    sheet = _sheet(upload)
    return None if sheet is None else check_sheet(sheet, Actor.of(current_user))


@dataclass
class PreviewRow:
    number: int
    ok: bool
    errors: dict[str, str]
    display: list[tuple[str, str | None]]  # (the cell as shown, its error) per column
    extra: list[str]  # errors of columns the sheet does not have


def _shown(header: str, value, error: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if header == "身份证号" and not error:
        return mask_id_number(normalize_id_number(str(value)))  # lists show masked numbers
    return str(value)


def _preview_rows(rows: list[RowResult], columns: list[str]) -> list[PreviewRow]:
    return [
        PreviewRow(
            number=r.number,
            ok=r.ok,
            errors=r.errors,
            display=[
                (_shown(h, r.cells.get(h), r.errors.get(h)), r.errors.get(h)) for h in columns
            ],
            extra=[f"{h}：{m}" for h, m in r.errors.items() if h not in columns],
        )
        for r in rows
    ]


def _render_preview(upload: ExcelUpload, plan: ImportPlan, status: int = 200):
    only_errors = request.args.get("show") == "errors" and bool(plan.invalid)
    columns = [h for h in plan.sheet.headers if h in BY_HEADER]
    return (
        render_template(
            "excel/preview.html",
            upload=upload,
            plan=plan,
            rows=_preview_rows(plan.invalid if only_errors else plan.rows, columns),
            only_errors=only_errors,
            columns=columns,
            confirm_form=EmptyForm(),
            discard_form=EmptyForm(),
        ),
        status,
    )


@bp.get("/import/<token>")
@role_required(*ENTERERS)
def preview(token: str):
    upload = _upload(token)
    plan = _plan(upload)
    if plan is None:
        return redirect(url_for("excel.upload"))
    return _render_preview(upload, plan)


@bp.post("/import/<token>")
@role_required(*ENTERERS)
def confirm(token: str):
    form = EmptyForm()
    if not form.validate_on_submit():
        flash("表单已过期，未导入任何记录。请确认后重新点击“确认导入”。", "danger")
        return redirect(url_for("excel.preview", token=token))
    # The kept file is parsed before the write lock is taken (this endpoint reads first, see
    # app.core.db); under the lock every row is checked again and written, so the check and
    # the writes see no other writer in between.
    sheet = _sheet(_upload(token))
    if sheet is None:
        return redirect(url_for("excel.upload"))
    begin_write()
    upload = _upload(token)  # again, under the lock: a second click may have imported it
    plan = check_sheet(sheet, Actor.of(current_user))
    if not plan.ok:
        db.session.rollback()
        flash(
            f"有 {len(plan.invalid)} 行不符合要求（数据可能刚有变化），未导入任何记录。"
            "请按下表修改后重新上传。",
            "danger",
        )
        return _render_preview(upload, plan, 422)
    file_name = upload.file_name
    try:
        created = operations.import_rows(plan, actor=current_user, file_name=file_name)
        operations.discard_upload(upload)
        db.session.commit()
    except IntegrityError:
        # Someone saved one of these ID numbers a moment ago: the unique index said no.
        db.session.rollback()
        flash("导入未完成：有身份证号刚刚被他人录入，未导入任何记录。请重新检查。", "danger")
        return redirect(url_for("excel.preview", token=token))
    status_note = (
        "状态按表中所填录入。"
        if plan.actor.keeps_status
        else "状态均为“拟推荐”，等待乡镇党委审核。"
    )
    flash(f"已从“{file_name}”导入 {len(created)} 名后备干部，{status_note}", "success")
    return redirect(url_for("roster.index", sort="-created", status="all"))


@bp.get("/import/<token>/errors.xlsx")
@role_required(*ENTERERS)
def errors(token: str):
    upload = _upload(token)
    plan = _plan(upload)
    if plan is None:
        return redirect(url_for("excel.upload"))
    body = errors_workbook(upload.content, plan)
    stem = upload.file_name.rsplit(".", 1)[0]
    return _xlsx_response(io.BytesIO(body), f"{stem}-错误说明.xlsx")


@bp.post("/import/<token>/discard")
@role_required(*ENTERERS)
def discard(token: str):
    form = EmptyForm()
    upload = _upload(token)
    if form.validate_on_submit():
        operations.discard_upload(upload)
        db.session.commit()
        flash("已放弃本次导入，未写入任何记录。", "info")
    return redirect(url_for("excel.upload"))
