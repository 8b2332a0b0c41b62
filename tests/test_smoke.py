def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_login_page(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert 'name="username"' in response.get_data(as_text=True)
